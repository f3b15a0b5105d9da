"""Parameter explorer: see what temperature, top_p, max_tokens, stop, n and seed do.

`compare_temperatures(client, model, prompt, ...)` sends the same prompt once per
temperature and returns a table of the outputs (HTML in Jupyter, plain text in
consoles). `parameter_explorer(client, model)` is the live version (ipywidgets).
Every request is an ordinary `client.chat.completions.create` call.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass
class OutputTable:
    """Rows of (setting, finish_reason, text); displays as an HTML table."""

    title: str
    header: tuple[str, str, str]
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        lines = [self.title]
        for setting, reason, text in self.rows:
            lines.append(f"- {setting} [{reason}]: {text.strip()}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left;vertical-align:top;white-space:pre-wrap'>{html.escape(c)}</td>" for c in (s, r, t.strip())) + "</tr>"
            for s, r, t in self.rows
        )
        return f"<div><b>{html.escape(self.title)}</b><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def compare_temperatures(client, model: str, prompt: str, temperatures=(0, 0.7, 1.5), *, seed: int | None = 1, max_tokens: int = 40, n: int = 1) -> OutputTable:
    """Send `prompt` once per temperature (same seed and max_tokens) and return a table of the outputs."""
    table = OutputTable(f"{prompt!r} · seed={seed} · max_tokens={max_tokens}", ("temperature 温度", "finish_reason 结束原因", "output 输出"))
    for t in temperatures:
        r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}], temperature=t, seed=seed, max_tokens=max_tokens, n=n)
        for c in r.choices:
            table.rows.append((str(t), str(c.finish_reason), c.message.content or ""))
    return table


def run_once(
    client,
    model: str,
    prompt: str,
    *,
    temperature: float = 1.0,
    top_p: float = 1.0,
    max_tokens: int = 40,
    n: int = 1,
    stop: list[str] | None = None,
    seed: int | None = None,
) -> OutputTable:
    """One request with the given parameters; a table with one row per choice (n rows)."""
    params = dict(temperature=temperature, top_p=top_p, max_tokens=max_tokens, n=n)
    if stop:
        params["stop"] = stop
    if seed is not None:
        params["seed"] = seed
    r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}], **params)
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    table = OutputTable(shown, ("choice 候选", "finish_reason 结束原因", "output 输出"))
    for c in r.choices:
        table.rows.append((str(c.index), str(c.finish_reason), c.message.content or ""))
    if r.usage:
        table.title += f" · usage 用量: {r.usage.prompt_tokens} + {r.usage.completion_tokens} tokens 词元"
    return table


def parameter_explorer(client, model: str, prompt: str = "Write one sentence about the sea."):
    """Live sliders for the sampling parameters (ipywidgets; interactive inside Jupyter only)."""
    import ipywidgets as widgets

    box = widgets.Textarea(value=prompt, description="Prompt 提示词", layout=widgets.Layout(width="100%", height="60px"))
    temperature = widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description="temperature")
    top_p = widgets.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description="top_p")
    max_tokens = widgets.IntSlider(value=40, min=1, max=256, description="max_tokens")
    n = widgets.IntSlider(value=1, min=1, max=4, description="n")
    stop = widgets.Text(value="", placeholder=r"e.g. \n or . / 例如 \n 或 .", description="stop")
    use_seed = widgets.Checkbox(value=True, description="use seed 使用随机种子")
    seed = widgets.IntText(value=1, description="seed")
    run = widgets.Button(description="Run 运行", button_style="primary")
    out = widgets.HTML()

    def on_run(_button=None) -> None:
        run.disabled = True
        out.value = "<i>Waiting for the model… / 等待模型…</i>"
        try:
            stops = [stop.value.encode().decode("unicode_escape")] if stop.value else None
            table = run_once(
                client,
                model,
                box.value,
                temperature=temperature.value,
                top_p=top_p.value,
                max_tokens=max_tokens.value,
                n=n.value,
                stop=stops,
                seed=seed.value if use_seed.value else None,
            )
            out.value = table._repr_html_()
        except Exception as e:
            out.value = f"<span style='color:#b00'>{html.escape(type(e).__name__)}: {html.escape(str(e))}</span>"
        finally:
            run.disabled = False

    run.on_click(on_run)
    return widgets.VBox([box, widgets.HBox([temperature, top_p]), widgets.HBox([max_tokens, n]), widgets.HBox([stop, use_seed, seed]), run, out])


params_widget = parameter_explorer  # the course's usual `..._widget()` name / 课程里常用的命名
