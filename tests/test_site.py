"""Tests of the built course site (mkdocs-material + mkdocs-static-i18n +
mkdocs-jupyter).  The site is built once per session with
``mkdocs build --strict`` into a temporary directory (tests/site_support.py).
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

import pytest
import site_support as ss

GUIDE_PAGES = [
    "index.md",
    "key-concepts.md",
    "quickstart.md",
    "models.md",
    "data-usage.md",
    "endpoint-compatibility.md",
    "text-generation.md",
    "offline.md",
    "glossary.md",
]
NAV_TITLES = {
    "zh": ["首页", "核心概念", "快速入门", "模型", "数据使用", "端点兼容性", "文本生成", "离线与课堂", "课程笔记本", "术语表"],
    "en": [
        "Home",
        "Key concepts",
        "Quickstart",
        "Models",
        "Data usage",
        "Endpoint compatibility",
        "Text generation",
        "Offline & classroom",
        "Notebooks",
        "Glossary",
    ],
}


@pytest.fixture(scope="session")
def build() -> ss.Build:
    return ss.built_site()


@pytest.fixture(scope="session")
def site(build) -> Path:
    if build.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{build.output[-4000:]}")
    return build.site


@pytest.fixture(scope="session")
def hook():
    return ss.load_hook()


def read(path: Path) -> str:
    assert path.is_file(), f"missing built page {path}"
    return path.read_text(encoding="utf-8")


def visible_text(page_html: str) -> str:
    """Text of the page's article, tags removed, whitespace collapsed."""
    m = re.search(r"<article\b.*?</article>", page_html, re.S)
    body = m.group(0) if m else page_html
    body = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def primary_nav(page_html: str) -> str:
    start = page_html.find('<nav class="md-nav md-nav--primary"')
    assert start >= 0, "no material primary navigation"
    depth, i = 0, start
    for m in re.finditer(r"<(/?)nav\b", page_html[start:]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            i = start + m.end()
            break
    return page_html[start:i]


def nav_links(page_html: str, page_rel: str) -> dict[str, str]:
    """{resolved site path: link text} of the primary navigation."""
    out = {}
    base = posixpath.dirname(page_rel)
    for m in re.finditer(r'<a href="([^"#]+)"[^>]*class="md-nav__link[^"]*"[^>]*>(.*?)</a>', primary_nav(page_html), re.S):
        target = posixpath.normpath(posixpath.join(base, html.unescape(m.group(1))))
        out[target] = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", m.group(2)))).strip()
    return out


def rel(site: Path, lang: str, src_uri: str) -> str:
    return ss.page_path(site, src_uri, lang).relative_to(site).as_posix()


# --------------------------------------------------------------------------
# 5. strict build
# --------------------------------------------------------------------------


def test_strict_build_passes_without_warnings(build):
    assert build.returncode == 0, build.output[-4000:]
    assert not build.warnings, "\n".join(build.warnings)
    assert (build.site / "index.html").is_file()
    assert (build.site / "en" / "index.html").is_file()


# --------------------------------------------------------------------------
# 1. languages, nav, language switcher
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ss.LANGS)
def test_home_page_language_and_site_name(site, lang):
    page = read(ss.page_path(site, "index.md", lang))
    assert re.search(rf'<html lang="{lang}"', page)
    name = "OpenAI API 入门课程" if lang == "zh" else "OpenAI API Course"
    assert f"<title>{name}" in page or f"- {name}</title>" in page


@pytest.mark.parametrize("lang", ss.LANGS)
def test_nav_lists_all_pages_and_notebooks_with_translated_titles(site, lang):
    page_rel = rel(site, lang, "quickstart.md")
    page = read(site / page_rel)
    nav_text = visible_text(primary_nav(page))
    for title in NAV_TITLES[lang]:
        assert title in nav_text, f"nav title {title!r} missing ({lang})"
    links = nav_links(page, page_rel)
    guide_titles = [t for t in NAV_TITLES[lang] if t not in ("课程笔记本", "Notebooks")]
    for src, title in zip(GUIDE_PAGES, guide_titles):
        target = rel(site, lang, src)
        assert target in links, f"{src} not in the {lang} nav"
        assert links[target] == title, f"nav title of {src} in {lang}: {links[target]!r}"
    notebooks = ss.notebook_paths()
    assert notebooks, "no notebooks found"
    for nb in notebooks:
        assert rel(site, lang, f"notebooks/{nb.name}") in links, f"{nb.name} not in the {lang} nav"
    # the notebooks sit between "offline" and "glossary", in file order
    order = [p for p in links if p in {rel(site, lang, s) for s in GUIDE_PAGES} or "/notebooks/" in f"/{p}"]
    nb_positions = [order.index(rel(site, lang, f"notebooks/{nb.name}")) for nb in notebooks]
    assert nb_positions == sorted(nb_positions)
    assert order.index(rel(site, lang, "offline.md")) < min(nb_positions)
    assert order.index(rel(site, lang, "glossary.md")) > max(nb_positions)


def _all_pages():
    return GUIDE_PAGES + [f"notebooks/{nb.name}" for nb in ss.notebook_paths()]


@pytest.mark.parametrize("src", _all_pages())
def test_language_switcher_links_to_same_page(site, src):
    for lang in ss.LANGS:
        page_rel = rel(site, lang, src)
        page = read(site / page_rel)
        alternates = dict((hl, href) for href, hl in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" class="md-select__link"', page))
        assert set(alternates) == set(ss.LANGS), f"switcher of {page_rel}: {alternates}"
        for target_lang, href in alternates.items():
            assert not re.match(r"^(https?:)?/", href), f"absolute switcher link {href}"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), href))
            assert target == rel(site, target_lang, src), f"{page_rel}: switcher to {target_lang} goes to {target}"
            assert (site / target).is_file()


# --------------------------------------------------------------------------
# 6. bilingual parity
# --------------------------------------------------------------------------


def test_every_docs_page_has_its_twin():
    pages = ss.docs_pages()
    assert set(GUIDE_PAGES) <= set(pages)
    missing = {src: sorted(set(ss.LANGS) - set(langs)) for src, langs in pages.items() if set(langs) != set(ss.LANGS)}
    assert not missing, f"pages without their other-language twin: {missing}"


def test_every_built_page_has_its_twin(site):
    zh = {p.relative_to(site).as_posix() for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith(("en/", "assets/", "search/"))}
    en = {p.relative_to(site / "en").as_posix() for p in (site / "en").rglob("*.html")}
    zh.discard("404.html")  # one 404 page for the whole site
    assert zh, "no pages built"
    assert zh - en == set(), f"built zh pages without an en twin: {sorted(zh - en)}"
    assert en - zh == set(), f"built en pages without a zh twin: {sorted(en - zh)}"


# --------------------------------------------------------------------------
# 2. notebooks: rendered HTML, stored outputs, language filtering
# --------------------------------------------------------------------------


def _cell_text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _probes(markdown_source: str) -> list[str]:
    """Plain-text runs of a markdown cell that survive rendering verbatim."""
    text = re.sub(r"```.*?```", " ", markdown_source, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r" \1 ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    runs = re.split(r"[`*_#>|\[\]\\~<=\n\"'&]+|^\s*[-+]\s|\s\d+\.\s", text, flags=re.M)
    runs = [re.sub(r"\s+", " ", r).strip(" -:") for r in runs]
    return sorted((r for r in runs if len(r) >= 6), key=len, reverse=True)


def _tags(cell) -> set[str]:
    return set((cell.get("metadata") or {}).get("tags") or [])


@pytest.mark.parametrize("nb_path", ss.notebook_paths(), ids=lambda p: p.name)
def test_notebook_pages_are_rendered_html_with_outputs(site, nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for lang in ss.LANGS:
        page = read(ss.page_path(site, f"notebooks/{nb_path.name}", lang))
        assert "jupyter-wrapper" in page and "jp-Notebook" in page, f"{nb_path.name} ({lang}) is not rendered by mkdocs-jupyter"
        assert '"nbformat"' not in page and '"cell_type"' not in page, f"{nb_path.name} ({lang}) contains raw notebook JSON"
        code_cells = [c for c in nb["cells"] if c.get("cell_type") == "code"]
        assert page.count("jp-CodeCell") >= len(code_cells)
        with_outputs = [c for c in code_cells if c.get("outputs")]
        if with_outputs:
            assert "jp-OutputArea" in page
        for cell in with_outputs:
            for out in cell["outputs"]:
                if out.get("output_type") == "stream":
                    line = next((s.strip() for s in "".join(out.get("text", "")).splitlines() if s.strip()), "")
                    if line:
                        assert html.escape(line, quote=False) in page, f"stored output {line!r} missing in {nb_path.name} ({lang})"
                elif "image/png" in out.get("data", {}):
                    assert "data:image/png;base64," in page


@pytest.mark.parametrize("nb_path", ss.notebook_paths(), ids=lambda p: p.name)
def test_notebook_pages_show_only_their_language(site, nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    texts = {lang: visible_text(read(ss.page_path(site, f"notebooks/{nb_path.name}", lang))) for lang in ss.LANGS}
    md_cells = [c for c in nb["cells"] if c.get("cell_type") == "markdown"]
    checked = {lang: 0 for lang in ss.LANGS}
    for lang in ss.LANGS:
        other = [x for x in ss.LANGS if x != lang]
        own = [c for c in md_cells if lang in _tags(c)]
        shared = " ".join(_cell_text(c) for c in md_cells if not (_tags(c) & set(ss.LANGS)))
        others = " ".join(_cell_text(c) for c in md_cells if _tags(c) & set(other))
        for cell in own:
            probes = [p for p in _probes(_cell_text(cell)) if p not in shared and p not in others]
            if not probes:
                continue
            probe = probes[0]
            assert probe in texts[lang], f"{lang} cell text {probe!r} missing on the {lang} page"
            for o in other:
                assert probe not in texts[o], f"{lang} cell text {probe!r} shown on the {o} page"
            checked[lang] += 1
    for lang in ss.LANGS:
        if any(lang in _tags(c) for c in md_cells):
            assert checked[lang], f"no {lang} cell of {nb_path.name} could be checked"


def test_notebook_filter(hook):
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Title / 标题"},
            {"cell_type": "markdown", "metadata": {"tags": ["en"]}, "source": "English"},
            {"cell_type": "markdown", "metadata": {"tags": ["zh"]}, "source": "中文"},
            {"cell_type": "code", "metadata": {"tags": ["en"]}, "source": "x = 1", "outputs": [], "execution_count": None},
            {"cell_type": "markdown", "metadata": {"tags": ["en", "zh"]}, "source": "both"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    zh = [c["source"] for c in hook.filter_notebook(nb, "zh")["cells"]]
    en = [c["source"] for c in hook.filter_notebook(nb, "en")["cells"]]
    assert zh == ["# Title / 标题", "中文", "x = 1", "both"]
    assert en == ["# Title / 标题", "English", "x = 1", "both"]
    assert len(nb["cells"]) == 5  # input untouched
    assert hook.notebook_title(nb, "zh", "x") == "Title / 标题"


def test_widget_outputs_fall_back_to_text(hook):
    from mkdocs_jupyter import convert

    nb = {
        "cells": [
            {
                "cell_type": "code",
                "id": "widget-cell",
                "metadata": {},
                "execution_count": 1,
                "source": "w",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/plain": "IntSlider(value=3)",
                            hook.WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"},
                        },
                    }
                ],
            }
        ],
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0, "state": {}}}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    static = hook.static_widget_outputs(nb)
    assert "widgets" not in static["metadata"]
    assert hook.WIDGET_VIEW in nb["cells"][0]["outputs"][0]["data"]  # input untouched
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.ipynb"
        path.write_text(json.dumps(static), encoding="utf-8")
        page = hook.strip_external_scripts(convert.nb2html(str(path)))
    assert "IntSlider(value=3)" in page
    assert ss.scan_html(page) == []


# --------------------------------------------------------------------------
# 3. offline: nothing fetched from another host
# --------------------------------------------------------------------------


def test_no_external_fetches_in_built_site(site):
    problems = ss.external_fetches(site)
    assert not problems, "external resources in the built site:\n" + "\n".join(f"  {f}: {what} {url}" for f, what, url in problems)


def test_dormant_material_loaders_stay_dormant(site):
    """material's bundle can load two scripts from a CDN: the mermaid one only
    for ```mermaid diagrams, and the repository facts only with repo_url."""
    config_text = (ss.ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert not re.search(r"^repo_url\s*:", config_text, re.M)
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'class="mermaid"' not in text, f"mermaid diagram in {page} needs a CDN"


def test_offline_search_index_is_complete(site):
    """search_index.js (file:// search) holds the final index of both languages."""
    js = read(site / "search" / "search_index.js")
    assert js.startswith("var __index = ")
    assert json.loads(js[len("var __index = ") :]) == ss.search_index(site)
    locations = {d["location"] for d in ss.search_index(site)["docs"]}
    assert any(loc.startswith("en/") for loc in locations)
    assert any(not loc.startswith("en/") for loc in locations)


def test_offline_build_settings(site):
    config_text = (ss.ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+font:\s*false\s*$", config_text, re.M)
    # file:// support from material's offline plugin, with the local shim
    assert (site / "search" / "search_index.js").is_file()
    index = read(site / "index.html")
    assert 'src="javascripts/iframe-worker-shim.js"' in index
    assert "fonts.googleapis" not in index


def test_scanner_catches_cdn_scripts_of_nbconvert(hook):
    """The raw mkdocs-jupyter HTML references CDNs; the hook strips them."""
    from mkdocs_jupyter import convert

    nb_path = ss.notebook_paths()[0]
    raw = convert.nb2html(str(nb_path))
    assert any(url for _, url in ss.scan_html(raw)), "expected nbconvert CDN scripts"
    assert ss.scan_html(hook.strip_external_scripts(raw)) == []
    assert ss.scan_html('<link rel="stylesheet" href="https://cdn.example/x.css">')
    assert ss.scan_css("@import url('https://fonts.googleapis.com/css?family=x');")
    assert ss.scan_js('import("https://unpkg.com/x.js")')
    assert not ss.scan_html('<a href="https://platform.openai.com/">docs</a>')


# --------------------------------------------------------------------------
# 4. Chinese search
# --------------------------------------------------------------------------

SEARCH_EXPECTATIONS = [
    # (query, language, candidate pages: at least one must match)
    ("嵌入", "zh", ["key-concepts.md", "embeddings.md"]),
    ("上下文", "zh", ["key-concepts.md"]),
    ("数据保留", "zh", ["data-usage.md"]),
    ("embeddings", "en", ["key-concepts.md", "embeddings.md"]),
    ("tokens", "en", ["key-concepts.md"]),
    ("retention", "en", ["data-usage.md"]),
]


@pytest.fixture(scope="session")
def index(site):
    return ss.search_index(site)


def _tokens(text: str, separator: str) -> set[str]:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text)).lower()
    return {t for t in re.split(separator, text) if t}


def test_search_config_suits_chinese(index):
    config = index["config"]
    assert "zh" not in config["lang"], "lunr's zh needs a JS jieba in the browser"
    sep = config["separator"]
    assert "\\u200b" in sep
    # lunr's trimmer strips every non-\w character, i.e. all Chinese, and its
    # English stemmer breaks prefix search of plurals (tokens -> token*)
    assert "trimmer" not in config["pipeline"] and "stemmer" not in config["pipeline"]
    assert [t for t in re.split(sep, "嵌入，上下文。数据、保留；（模型）“提示”") if t] == ["嵌入", "上下文", "数据", "保留", "模型", "提示"]
    import jieba  # noqa: F401  (material segments Chinese only if jieba is importable)

    zh_docs = [d for d in index["docs"] if not d["location"].startswith("en/")]
    assert any("\u200b" in d["text"] for d in zh_docs), "Chinese text is not segmented"


@pytest.mark.parametrize("query,lang,pages", SEARCH_EXPECTATIONS)
def test_search_index_finds_term(index, query, lang, pages):
    import jieba

    sep = index["config"]["separator"]
    terms = [t for t in re.split(sep, "\u200b".join(jieba.cut(query)).lower()) if t]
    assert terms
    by_page: dict[str, set[str]] = {}
    for doc in index["docs"]:
        page = doc["location"].split("#")[0]
        by_page.setdefault(page, set()).update(_tokens(doc["title"] + " " + doc["text"], sep))
    matched = []
    for src in pages:
        loc = ss.page_path(Path("."), src, lang).as_posix().removeprefix("./")
        if loc in by_page and all(t in by_page[loc] for t in terms):
            matched.append(loc)
    assert matched, (
        f"search for {query!r} ({terms}) finds none of {pages} in {lang}; pages with it: "
        f"{sorted(p for p, toks in by_page.items() if all(t in toks for t in terms))}"
    )


def test_new_notebooks_join_the_nav_without_edits(hook, tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, title in [("01_b.ipynb", "# B / 乙"), ("00_a.ipynb", None)]:
        cells = []
        if title:
            cells = [
                {"cell_type": "markdown", "metadata": {"tags": ["en"]}, "source": "# Bee"},
                {"cell_type": "markdown", "metadata": {"tags": ["zh"]}, "source": "# 乙"},
            ]
        (folder / name).write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    nav = [{"首页": "index.md"}, {"课程笔记本": [{"Hand-picked": "notebooks/01_b.ipynb"}]}, {"术语表": "glossary.md"}]
    hook._fill_nav(nav, hook.find_notebooks(tmp_path), "en")
    assert nav[1]["课程笔记本"] == [{"Hand-picked": "notebooks/01_b.ipynb"}, {"00_a": "notebooks/00_a.ipynb"}]
    nav = [{"课程笔记本": []}]
    hook._fill_nav(nav, hook.find_notebooks(tmp_path), "zh")
    assert nav[0]["课程笔记本"] == [{"00_a": "notebooks/00_a.ipynb"}, {"乙": "notebooks/01_b.ipynb"}]
