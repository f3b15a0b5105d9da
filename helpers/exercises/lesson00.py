"""Checks for notebook 00 (setup, API keys, backends)."""

from __future__ import annotations

from . import exercise, failed, passed


@exercise("00.1")
def _(answer):
    if isinstance(answer, str) and answer.strip() == "OPENAI_API_KEY":
        return passed("Correct: the SDK reads OPENAI_API_KEY from the environment.", "正确：SDK 会从环境变量 OPENAI_API_KEY 读取密钥。")
    return failed(
        "Not quite: give the exact name of the environment variable the SDK reads for the key (capital letters).",
        "还不对：请写出 SDK 读取密钥时用的环境变量的准确名字（大写）。",
    )


@exercise("00.2")
def _(answer):
    if isinstance(answer, str) and answer.strip().lstrip("./") == "env" and answer.strip().endswith(".env"):
        return passed(
            "Correct: a .env file in the repository root, which .gitignore keeps out of Git.", "正确：放在仓库根目录的 .env 文件，.gitignore 会让 Git 忽略它。"
        )
    return failed(
        "Not quite: which file name in the repository root does get_client() read and Git ignore?",
        "还不对：get_client() 会读取、Git 会忽略的，是仓库根目录下哪个文件名？",
    )


@exercise("00.3")
def _(answer):
    if not isinstance(answer, str):
        return failed('Give the answer as a string, e.g. "...".', '请用字符串作答，例如 "..."。')
    words = answer.strip().split()
    if words and words[0].lower() == "setx":
        return passed("Correct: setx stores the variable for windows you open afterwards.", "正确：setx 会保存变量，之后打开的新窗口都能读到。")
    if words and words[0].lower().startswith("$env:"):
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
    chosen = {str(x).strip().lower() for x in answer}
    if chosen == SAFE_PLACES:
        return passed(
            "Correct: only the environment and a Git-ignored .env file keep the key out of code and output.",
            "正确：只有环境变量和被 Git 忽略的 .env 文件能让密钥远离代码和输出。",
        )
    unsafe = sorted(chosen - SAFE_PLACES)
    if unsafe:
        return failed(
            f"Not safe: {', '.join(unsafe)}. Anything that ends up in code, output or a page can leak.",
            f"不安全：{'、'.join(unsafe)}。凡是会进入代码、输出或网页的地方都可能泄露密钥。",
        )
    return failed("Almost: one safe place is missing.", "差一点：还漏了一个安全的位置。")
