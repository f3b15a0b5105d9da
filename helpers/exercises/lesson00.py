"""Checks for notebook 00 (setup, API keys, backends)."""

from __future__ import annotations

import re

from . import exercise, failed, passed
from .judge import answer_text, ask, judged
from .shapes import need_text, shaped


@exercise("00.1")
def _(answer):
    if isinstance(answer, str) and answer.strip() == "OPENAI_API_KEY":
        return passed("Correct: the SDK reads OPENAI_API_KEY from the environment.", "正确：SDK 会从环境变量 OPENAI_API_KEY 读取密钥。")
    return failed(
        "Not quite: give the exact name of the environment variable the SDK reads for the key (capital letters, as a string).",
        "还不对：请用字符串写出 SDK 读取密钥时用的环境变量的准确名字（大写）。",
    )


@exercise("00.2")
def _(answer):
    if isinstance(answer, str) and answer.strip().lstrip("./") == "env" and answer.strip().endswith(".env"):
        return passed(
            "Correct: a .env file in the repository root, which .gitignore keeps out of Git.", "正确：放在仓库根目录的 .env 文件，.gitignore 会让 Git 忽略它。"
        )
    return failed(
        "Not quite: which file name in the repository root does get_client() read and Git ignore? (a string)",
        "还不对：get_client() 会读取、Git 会忽略的，是仓库根目录下哪个文件名？（字符串）",
    )


@exercise("00.3")
@shaped
def _(answer):
    words = need_text(answer, "the PowerShell command", "这条 PowerShell 命令").split()
    if words[0].lower() == "setx":
        return passed("Correct: setx stores the variable for windows you open afterwards.", "正确：setx 会保存变量，之后打开的新窗口都能读到。")
    if words[0].lower().startswith("$env:"):
        return failed(
            "That works only in the current PowerShell window. Which command stores it permanently?", "这只对当前 PowerShell 窗口有效。哪个命令能永久保存？"
        )
    return failed(
        "Not quite: which PowerShell command sets a user environment variable permanently?", "还不对：在 PowerShell 中，哪个命令能永久设置用户环境变量？"
    )


# Which of these are safe places for an API key? a) a .env file that Git ignores,
# b) a notebook cell, c) an environment variable, d) JavaScript in a web page,
# e) a screenshot in the class chat.
SAFE_PLACES = {"a", "c"}


@exercise("00.4")
def _(answer):
    if isinstance(answer, str) or not isinstance(answer, (set, list, tuple, frozenset)):
        return failed('Give the letters as a set, e.g. {"a", "b"} (one string per letter).', '请用集合写出字母，例如 {"a", "b"}（每个字母一个字符串）。')
    chosen = {str(x).strip().lower() for x in answer}
    if chosen == SAFE_PLACES:
        return passed(
            "Correct: only the environment and a Git-ignored .env file keep the key out of code and output.",
            "正确：只有环境变量和被 Git 忽略的 .env 文件能让密钥远离代码和输出。",
        )
    unknown = sorted(chosen - set("abcde"))
    if unknown:
        return failed(f"Use the letters a to e only; {', '.join(unknown)} is not one of them.", f"只能用字母 a 到 e；{'、'.join(unknown)} 不在其中。")
    unsafe = sorted(chosen - SAFE_PLACES)
    if unsafe:
        return failed(
            f"Not safe: {', '.join(unsafe)}. Anything that ends up in code, output or a page can leak.",
            f"不安全：{'、'.join(unsafe)}。凡是会进入代码、输出或网页的地方都可能泄露密钥。",
        )
    return failed("Almost: one safe place is missing.", "差一点：还漏了一个安全的位置。")


@exercise("00.5")
@judged
@shaped
def _(answer):
    """Prompt-and-judge: a user message that makes the model reply with exactly the word `ready`
    (the smallest end-to-end test of a setup: key, address and model all work)."""
    prompt = need_text(answer, "your user message", "你的用户消息")
    reply = answer_text(ask([{"role": "user", "content": prompt}])).strip()
    words = re.findall(r"[^\W_]+", reply.lower())
    if words == ["ready"]:
        return passed(
            f"Correct: the model replied {reply!r}. Your setup works end to end, and a precise instruction got a precise answer.",
            f"正确：模型回答了 {reply!r}。你的环境从头到尾都能用，而且明确的指令换来了明确的回答。",
        )
    if "ready" in words:
        return failed(
            f"Close: the model replied {reply[:80]!r}, more than the one word. Ask for exactly one word and nothing else.",
            f"接近了：模型回答了 {reply[:80]!r}，不止一个词。请要求它只回答一个词，别的什么都不要。",
        )
    return failed(
        f"The model replied {reply[:80]!r}, not the word ready. Say exactly which word you want back.",
        f"模型回答的是 {reply[:80]!r}，不是 ready 这个词。请明确说出你希望它回答哪个词。",
    )


# 00.6: a classmate's settings for DeepSeek; the notebook then asks DeepSeek for gpt-4o-mini, which it does not serve.
CLASSMATE_ENV = {"OPENAI_API_KEY": "sk-...fake5678", "OPENAI_BASE_URL": "https://api.deepseek.com/v1"}
DEEPSEEK_CHAT_MODEL = "deepseek-chat"


@exercise("00.6")
def _(answer):
    from ..backend import BackendConfigError, detect_backend

    if not isinstance(answer, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items()):
        return failed(
            'Give the corrected settings as a dict of strings, e.g. {"OPENAI_API_KEY": "sk-...fake5678", ...}.',
            '请用字符串字典写出改正后的设置，例如 {"OPENAI_API_KEY": "sk-...fake5678", ...}。',
        )
    try:
        backend = detect_backend(answer)
    except BackendConfigError as e:  # its message is "English. / 中文。"
        en, _, zh = str(e).partition(" / ")
        return failed(f"get_client() would stop with: {en}", f"get_client() 会因此停止：{zh or en}")
    if backend.kind != "compatible" or not backend.base_url.startswith("https://api.deepseek.com"):
        return failed(
            f"These settings choose the {backend.kind} backend at {backend.base_url}; keep the key and DeepSeek's address.",
            f"这些设置选中的是 {backend.kind} 后端（{backend.base_url}）；请保留密钥和 DeepSeek 的地址。",
        )
    if backend.chat_model != DEEPSEEK_CHAT_MODEL:
        return failed(
            f"The notebooks would ask DeepSeek for the model {backend.chat_model!r}, which DeepSeek does not serve (it answers HTTP 400 'Model Not Exist'). Which variable names the chat model?",
            f"笔记本会向 DeepSeek 请求模型 {backend.chat_model!r}，而 DeepSeek 没有这个模型（它会返回 HTTP 400“Model Not Exist”）。哪个变量用来指定聊天模型？",
        )
    return passed(
        "Correct: COURSE_CHAT_MODEL=deepseek-chat. A compatible provider has its own model names, and some lack features "
        "(DeepSeek has no embeddings; the lessons say so where it matters).",
        "正确：COURSE_CHAT_MODEL=deepseek-chat。兼容服务商有自己的模型名，有些还缺少某些功能（DeepSeek 没有嵌入；课程会在相关的地方说明）。",
    )
