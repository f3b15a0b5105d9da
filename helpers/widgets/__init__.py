"""Small visual tools for the notebooks (tokens, embeddings).

Each tool comes in two forms: a static function that renders a result for a
given input (HTML or a matplotlib figure; it reads well on the static site and
is reproducible under nbval), and a `..._widget()` that builds a live
ipywidgets UI (only interactive inside Jupyter).
"""

from __future__ import annotations

from .embeddings import cosine_similarity, pca_2d, pick_cjk_font, plot_embeddings, similarity_widget
from .tokens import TokenView, show_tokens, token_widget

__all__ = [
    "TokenView",
    "show_tokens",
    "token_widget",
    "cosine_similarity",
    "pca_2d",
    "pick_cjk_font",
    "plot_embeddings",
    "similarity_widget",
]
