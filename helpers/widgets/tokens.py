"""Token visualiser: see how tiktoken splits a text into tokens.

`show_tokens(text, encoding)` returns a static view (coloured HTML spans with
token ids, plus counts; a plain-text form for consoles and tests).
`token_widget()` is the live version: type in a text box, pick an encoding.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import tiktoken

ENCODINGS = ("o200k_base", "cl100k_base")  # the two shipped for offline use / 离线可用的两种编码
# Light background colours, cycled token by token.
PALETTE = ("#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad")


def _token_text(enc: tiktoken.Encoding, token_id: int) -> str:
    """The token's text; a token that is only part of a UTF-8 character is shown as bytes."""
    raw = enc.decode_single_token_bytes(token_id)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(f"\\x{b:02x}" for b in raw)


@dataclass
class TokenView:
    """The tokens of one text under one encoding; renders as HTML in Jupyter."""

    text: str
    encoding: str
    ids: list[int] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)

    @property
    def n_tokens(self) -> int:
        return len(self.ids)

    @property
    def n_chars(self) -> int:
        return len(self.text)

    def summary(self) -> str:
        ratio = self.n_chars / self.n_tokens if self.n_tokens else 0.0
        return (f"{self.encoding}: {self.n_tokens} tokens 词元 · {self.n_chars} characters 字符 · "
                f"{ratio:.2f} characters per token 字符/词元")

    def __repr__(self) -> str:
        shown = " | ".join(p.replace("\n", "\\n") for p in self.pieces)
        return f"{self.summary()}\n{shown}\nids: {self.ids}"

    def _repr_html_(self) -> str:
        spans = []
        for i, (tid, piece) in enumerate(zip(self.ids, self.pieces)):
            colour = PALETTE[i % len(PALETTE)]
            shown = html.escape(piece.replace("\n", "↵\n"))
            spans.append(
                f'<span title="id {tid}" style="display:inline-block;margin:1px;padding:0 2px;'
                f'background:{colour};border-radius:3px;text-align:center;color:#000">'
                f'<span style="white-space:pre;font-family:monospace">{shown}</span>'
                f'<br><span style="font-size:70%;color:#555">{tid}</span></span>')
        return (f'<div style="line-height:1.2"><div style="margin-bottom:4px"><b>{html.escape(self.summary())}</b></div>'
                f'<div>{"".join(spans)}</div></div>')


def show_tokens(text: str, encoding: str = "o200k_base") -> TokenView:
    """Split `text` with a tiktoken encoding; display the result to see coloured tokens and their ids."""
    enc = tiktoken.get_encoding(encoding)
    ids = enc.encode(text)
    return TokenView(text, encoding, ids, [_token_text(enc, t) for t in ids])


def token_widget(text: str = "Tokenization is fun! 分词很有趣！", encoding: str = "o200k_base"):
    """A live token visualiser: a text box and an encoding menu (works inside Jupyter only)."""
    import ipywidgets as widgets

    box = widgets.Textarea(value=text, description="Text 文本", layout=widgets.Layout(width="100%", height="80px"))
    menu = widgets.Dropdown(options=list(ENCODINGS), value=encoding, description="Encoding 编码")
    out = widgets.HTML()

    def update(_change=None) -> None:
        out.value = show_tokens(box.value, menu.value)._repr_html_()

    box.observe(update, names="value")
    menu.observe(update, names="value")
    update()
    return widgets.VBox([box, menu, out])
