"""Embedding tools: a 2-D picture of vectors and a live similarity checker.

`plot_embeddings(vectors, labels)` projects vectors to two dimensions with PCA
(NumPy's SVD) and draws a labelled scatter plot. Chinese labels need a CJK font;
if none is installed, points are labelled with their ids instead (no empty
boxes). `similarity_widget(client, model)` compares two texts live in Jupyter.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "Source Han Sans SC")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """cos(a, b) = a·b / (|a| |b|), from -1 to 1."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def pick_cjk_font() -> str | None:
    """The first installed font that can show Chinese, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    return None


def pca_2d(vectors) -> np.ndarray:
    """Project row vectors to 2-D: centre them, keep the two main directions of the SVD."""
    x = np.asarray(vectors, dtype=float)
    x = x - x.mean(axis=0)
    _u, _s, vt = np.linalg.svd(x, full_matrices=False)
    pts = x @ vt[:2].T
    # Fix the sign of each axis so the picture does not flip between runs or machines.
    for k in range(pts.shape[1]):
        if pts[np.argmax(np.abs(pts[:, k])), k] < 0:
            pts[:, k] = -pts[:, k]
    return pts


def plot_embeddings(vectors, labels: Sequence[str], *, groups: Sequence[str] | None = None, title: str | None = None,
                    ax=None):
    """Scatter plot of embeddings in 2-D (PCA), each point labelled; returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    pts = pca_2d(vectors)
    font = pick_cjk_font()
    labels = [str(label) for label in labels]
    if font is None:  # no CJK font: label Chinese points by number so nothing shows as empty boxes
        labels = [f"#{i}" if _CJK.search(label) else label for i, label in enumerate(labels)]
    # Fonts are set on each text object (not only in an rc_context): Jupyter draws the
    # figure after this function returns, when a temporary rc setting would be gone.
    family = ([font] if font else []) + ["DejaVu Sans"]
    if title is None:
        title = "Embeddings in 2-D (PCA) / 嵌入的二维投影（PCA）" if font else "Embeddings in 2-D (PCA)"
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 6))
    else:
        fig = ax.figure
    if groups is None:
        ax.scatter(pts[:, 0], pts[:, 1], s=40)
    else:
        for g in dict.fromkeys(groups):
            idx = [i for i, gi in enumerate(groups) if gi == g]
            ax.scatter(pts[idx, 0], pts[idx, 1], s=40, label=str(g))
        ax.legend(loc="best", prop={"family": family, "size": 9})
    for (x, y), label in zip(pts, labels):
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=9, family=family)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(title, family=family)
    fig.tight_layout()
    return fig


def similarity_widget(client, model: str, a: str = "I love programming.", b: str = "我喜欢写代码。"):
    """Two text boxes and a button: the cosine similarity of their embeddings (live in Jupyter only)."""
    import ipywidgets as widgets

    box_a = widgets.Text(value=a, description="Text A", layout=widgets.Layout(width="100%"))
    box_b = widgets.Text(value=b, description="Text B", layout=widgets.Layout(width="100%"))
    button = widgets.Button(description="Compare 比较")
    out = widgets.HTML()

    def compare(_=None) -> None:
        try:
            resp = client.embeddings.create(model=model, input=[box_a.value, box_b.value])
        except Exception as e:  # show API errors in the widget instead of losing them
            out.value = f"<b>{type(e).__name__}</b>: {e}"
            return
        sim = cosine_similarity(resp.data[0].embedding, resp.data[1].embedding)
        out.value = f"cosine similarity 余弦相似度: <b>{sim:.4f}</b>"

    button.on_click(compare)
    compare()
    return widgets.VBox([box_a, box_b, button, out])
