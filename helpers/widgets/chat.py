"""Chat playground: show a `messages` list as a chat, and chat live in Jupyter.

`chat_transcript(messages)` is the static view: one labelled bubble per message
(HTML in Jupyter and on the site, plain text in consoles and tests).
`chat_playground(client, model)` is the live version (ipywidgets): pick a role,
type a message, set temperature and max tokens, press Send; a `user` message is
sent to the model and the reply streams into the transcript (`stream=True`).
Nothing is hidden: the request is an ordinary `client.chat.completions.create`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

ROLES = ("developer", "system", "user", "assistant")
# label and colours per role / 每种角色的标签和颜色
ROLE_STYLE = {
    "developer": ("developer 开发者", "#fff3c4"),
    "system": ("system 系统", "#fff3c4"),
    "user": ("user 用户", "#d7ecff"),
    "assistant": ("assistant 助手", "#e3f7e0"),
    "tool": ("tool 工具", "#eeeeee"),
}


def message_text(content: Any) -> str:
    """The text of a message's `content`: a string, or a list of parts like {"type": "text", "text": ...}."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict):
                texts.append(str(part.get("text", f"[{part.get('type', 'part')}]")))
            else:
                texts.append(str(part))
        return "\n".join(texts)
    return str(content)


def _as_dict(message: Any) -> dict:
    if isinstance(message, dict):
        return message
    if hasattr(message, "model_dump"):  # an SDK object such as completion.choices[0].message
        return message.model_dump()
    raise TypeError(f"a message must be a dict with 'role' and 'content', got {type(message).__name__}")


@dataclass
class Transcript:
    """A messages list shown as a chat; displays as HTML in Jupyter."""

    messages: list[dict] = field(default_factory=list)
    title: str = ""

    def rows(self) -> list[tuple[str, str]]:
        out = []
        for m in self.messages:
            d = _as_dict(m)
            out.append((str(d.get("role", "?")), message_text(d.get("content")).strip()))
        return out

    def __repr__(self) -> str:
        lines = [self.title] if self.title else []
        for role, text in self.rows():
            label = ROLE_STYLE.get(role, (role, ""))[0]
            body = text.replace("\n", "\n" + " " * (len(label) + 3))
            lines.append(f"[{label}] {body}")
        return "\n".join(lines) if lines else "(no messages 没有消息)"

    def _repr_html_(self) -> str:
        parts = []
        if self.title:
            parts.append(f'<div style="font-weight:bold;margin-bottom:4px">{html.escape(self.title)}</div>')
        for role, text in self.rows():
            label, colour = ROLE_STYLE.get(role, (role, "#eeeeee"))
            align = "margin-left:15%" if role == "user" else "margin-right:15%"
            parts.append(
                f'<div style="{align};margin-top:4px;margin-bottom:4px;padding:6px 10px;border-radius:8px;'
                f'background:{colour};color:#000">'
                f'<div style="font-size:75%;color:#555;font-family:monospace">{html.escape(label)}</div>'
                f'<div style="white-space:pre-wrap">{html.escape(text)}</div></div>'
            )
        if not parts:
            parts.append("<i>(no messages 没有消息)</i>")
        return f'<div style="max-width:720px">{"".join(parts)}</div>'


def chat_transcript(messages: list, title: str = "") -> Transcript:
    """Render a messages list with role labels (display the result, or print it for plain text)."""
    return Transcript(list(messages), title)


def stream_reply(client, model: str, messages: list[dict], *, on_text=None, **params) -> str:
    """Send `messages` with stream=True; call on_text(text_so_far) as chunks arrive; return the full reply."""
    stream = client.chat.completions.create(model=model, messages=messages, stream=True, **params)
    text = ""
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
            if on_text:
                on_text(text)
    return text


def chat_playground(client, model: str, messages: list[dict] | None = None):
    """A live chat (ipywidgets; interactive inside Jupyter only).

    `developer`/`system`/`assistant` messages are only added to the list (to
    set instructions or write few-shot examples); a `user` message is added and
    the whole list is sent, with the reply streaming in. The list itself is
    available as `box.messages` on the returned widget.
    """
    import ipywidgets as widgets

    history: list[dict] = list(messages or [])
    role = widgets.Dropdown(options=list(ROLES), value="user", description="Role 角色")
    text = widgets.Textarea(placeholder="Type a message… / 输入消息…", layout=widgets.Layout(width="100%", height="70px"))
    temperature = widgets.FloatSlider(value=0.7, min=0.0, max=2.0, step=0.1, description="temperature")
    max_tokens = widgets.IntSlider(value=80, min=1, max=512, step=1, description="max_tokens")
    send = widgets.Button(description="Send 发送", button_style="primary")
    clear = widgets.Button(description="Clear 清空")
    status = widgets.HTML()
    view = widgets.HTML(value=chat_transcript(history)._repr_html_())

    def redraw(extra: list[dict] | None = None) -> None:
        view.value = chat_transcript(history + (extra or []))._repr_html_()

    def on_send(_button=None) -> None:
        content = text.value.strip()
        if not content:
            status.value = "<i>Type a message first. / 请先输入消息。</i>"
            return
        history.append({"role": role.value, "content": content})
        text.value = ""
        redraw()
        if role.value != "user":
            status.value = f"<i>Added a {role.value} message (not sent yet). / 已添加一条 {role.value} 消息（尚未发送）。</i>"
            return
        send.disabled = True
        status.value = "<i>Streaming… / 正在流式输出…</i>"
        try:
            reply = stream_reply(
                client,
                model,
                history,
                temperature=temperature.value,
                max_tokens=max_tokens.value,
                on_text=lambda so_far: redraw([{"role": "assistant", "content": so_far}]),
            )
            history.append({"role": "assistant", "content": reply})
            status.value = ""
        except Exception as e:  # show API errors in the UI instead of losing them in a callback
            history.pop()
            status.value = f"<span style='color:#b00'>{html.escape(type(e).__name__)}: {html.escape(str(e))}</span>"
        finally:
            send.disabled = False
            redraw()

    def on_clear(_button=None) -> None:
        history.clear()
        status.value = ""
        redraw()

    send.on_click(on_send)
    clear.on_click(on_clear)
    box = widgets.VBox([view, widgets.HBox([role, temperature, max_tokens]), text, widgets.HBox([send, clear]), status])
    box.messages = history
    return box


chat_widget = chat_playground  # the course's usual `..._widget()` name / 课程里常用的命名
