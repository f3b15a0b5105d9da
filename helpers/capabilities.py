"""What to say when the learner's provider lacks a feature a lesson shows.

Why: the same notebook runs on OpenAI, Azure OpenAI, the offline server and
compatible providers, and some providers have no embeddings, no legacy
completions, no stored completions or no Responses API. The lesson cell calls
the SDK itself inside `try: ... except openai.NotFoundError as e:` (that is how
an application meets a missing endpoint too) and hands the error here, which
explains in both languages what happened and what the cell shows where the
feature exists. Nothing here calls the API.
"""
from __future__ import annotations

FEATURES = {
    "embeddings": ("embeddings (`client.embeddings.create`)", "嵌入（embeddings，`client.embeddings.create`）"),
    "completions": ("the legacy completions endpoint (`client.completions.create`, instruct models)",
                    "旧版补全接口（`client.completions.create`，instruct 模型）"),
    "stored_completions": ("stored chat completions (`store=True`, `client.chat.completions.retrieve/list/delete`)",
                           "存储的对话补全（`store=True`，`client.chat.completions.retrieve/list/delete`）"),
    "responses": ("the Responses API (`client.responses.create`)", "Responses API（`client.responses.create`）"),
}


class MissingFeature:
    """Bilingual note for a cell whose feature the provider does not have; shows as text or Markdown."""

    def __init__(self, feature: str, error: Exception | None = None, en: str = "", zh: str = ""):
        name_en, name_zh = FEATURES.get(feature, (feature, feature))
        status = getattr(error, "status_code", None)
        seen = f" (HTTP {status})" if status else ""
        self.en = (f"ℹ️ Your provider does not offer {name_en}{seen}. The lesson goes on without it. "
                   f"With a provider that has it (OpenAI, Azure OpenAI with a deployment for it, or the course's offline server), "
                   f"this cell {en or 'prints its result here'}.")
        self.zh = (f"ℹ️ 你所用的服务商不提供{name_zh}{seen}。课程会跳过这一步继续。"
                   f"在提供该功能的服务商（OpenAI、部署了相应模型的 Azure OpenAI，或本课程的离线服务器）上，"
                   f"这个单元格会{zh or '在这里打印结果'}。")

    def __str__(self) -> str:
        return f"{self.en}\n{self.zh}"

    def _repr_markdown_(self) -> str:
        return f"{self.en}\n\n{self.zh}"

    __repr__ = __str__


def explain_missing(feature: str, error: Exception | None = None, *, en: str = "", zh: str = "") -> MissingFeature:
    """The note to display (the cell's last expression) when `feature` is missing.

    `en` / `zh` complete the sentence "this cell …" with what the learner would see,
    for example en="prints a vector of 512 numbers", zh="打印一个 512 维的向量"."""
    return MissingFeature(feature, error, en, zh)
