"""MkDocs hook: bilingual notebook pages and an offline-safe build.

What it does
------------
* Every ``notebooks/*.ipynb`` at the repository top level becomes a page in
  *each* language build of mkdocs-static-i18n.  For the language being built,
  a filtered copy of the notebook is written to a scratch directory: markdown
  (and raw) cells tagged with another course language are dropped, untagged
  cells, code cells and their stored outputs are kept.  The copy is added to
  the build as a generated ``File`` (``notebooks/NN_name.ipynb``) that says it
  is a documentation page, so mkdocs-jupyter (which only looks at
  ``abs_src_path``) renders it to HTML.  Adding it *after* the i18n plugin's
  ``on_files`` (which runs at priority -100) sidesteps mkdocs-static-i18n
  issue #198 (notebooks copied as raw JSON); the i18n metadata the language
  switcher needs (``alternates`` ...) is set here instead.
* The nav section titled like ``NOTEBOOK_SECTIONS`` is filled with every
  notebook that is not listed in it yet, so a new notebook needs no nav edit.
  Its entry title is the notebook's first heading in the page's language.
* Stored ipywidgets outputs are shown as their text fallback (no widget
  manager from a CDN); matplotlib PNGs are inlined by nbconvert as data: URIs.
* CDN scripts that nbconvert's templates put into notebook pages (MathJax,
  mermaid, the ipywidgets HTML manager, require.js) are removed, so the site
  fetches nothing from outside.

The functions ``filter_notebook``, ``notebook_title`` and
``find_notebooks`` are plain Python and used by the tests too.
"""

from __future__ import annotations

import atexit
import copy
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.notebooks")

#: course languages: a markdown cell tagged with one of them is language-specific
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
#: nav section (before nav_translations) that lists the notebooks
NOTEBOOK_SECTIONS = ("课程笔记本", "Notebooks", "Notebooks / 课程笔记本")
#: notebooks folder, relative to the directory of mkdocs.yml
NOTEBOOKS_DIR = "notebooks"
#: URL prefix of the notebook pages inside the site (and of their src_uri)
NOTEBOOKS_URI = "notebooks"

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


# --------------------------------------------------------------------------
# plain helpers (also used by the tests)
# --------------------------------------------------------------------------


def find_notebooks(root: str | os.PathLike) -> list[Path]:
    """Notebooks of the course, sorted by name (``NN_name.ipynb``)."""
    folder = Path(root) / NOTEBOOKS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith("."))


def _cell_tags(cell: dict) -> set[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return {str(t).strip().lower() for t in tags}


def cell_visible(cell: dict, lang: str) -> bool:
    """Is this cell shown on the ``lang`` page?

    Code cells are always shown.  A markdown/raw cell tagged with one or more
    course languages is shown only on those languages' pages; a cell with no
    language tag is shown everywhere.
    """
    if cell.get("cell_type") == "code":
        return True
    langs = _cell_tags(cell) & set(LANGUAGES)
    return not langs or lang in langs


def filter_notebook(nb: dict, lang: str) -> dict:
    """A copy of notebook ``nb`` with only the cells shown in ``lang``."""
    out = copy.deepcopy(nb)
    out["cells"] = [c for c in out.get("cells", []) if cell_visible(c, lang)]
    return out


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_widget_outputs(nb: dict) -> dict:
    """Show stored ipywidgets outputs as their text fallback.

    Rendering live widgets needs the ipywidgets HTML manager from a CDN (and
    a kernel to be useful); offline, the page shows the widget's stored plain
    text (e.g. ``IntSlider(value=3)``) instead of an empty box.
    """
    out = copy.deepcopy(nb)
    (out.get("metadata") or {}).pop("widgets", None)
    for cell in out.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data")
            if isinstance(data, dict) and WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                if not data:
                    data["text/plain"] = "[interactive widget: run the notebook to use it]"
    return out


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_title(nb: dict, lang: str, fallback: str) -> str:
    """First heading of the markdown shown in ``lang`` (level 1 preferred)."""
    best = None
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown" or not cell_visible(cell, lang):
            continue
        for m in _HEADING.finditer(_source(cell)):
            level, text = len(m.group(1)), m.group(2).strip()
            text = re.sub(r"[*_`]", "", text).strip()
            if level == 1 and text:
                return text
            if best is None and text:
                best = text
    return best or fallback


def _read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# mkdocs plumbing
# --------------------------------------------------------------------------


class NotebookPageFile(File):
    """A generated notebook file that mkdocs treats as a documentation page."""

    def is_documentation_page(self) -> bool:
        return True

    def is_static_page(self) -> bool:  # pragma: no cover - mkdocs API
        return False


_SCRATCH: str | None = None


def _scratch_dir() -> str:
    global _SCRATCH
    if _SCRATCH is None or not os.path.isdir(_SCRATCH):
        _SCRATCH = tempfile.mkdtemp(prefix="course-site-notebooks-")
        atexit.register(shutil.rmtree, _SCRATCH, True)
    return _SCRATCH


def _i18n(config):
    plugin = config.plugins.get("i18n")
    return plugin


def _languages(config) -> tuple[str, str, list[str]]:
    """(current, default, all built languages)."""
    plugin = _i18n(config)
    if plugin is None:
        return DEFAULT_LANGUAGE, DEFAULT_LANGUAGE, [DEFAULT_LANGUAGE]
    default = plugin.default_language
    current = plugin.current_language or default
    return current, default, list(plugin.build_languages)


def _root(config) -> Path:
    return Path(config.config_file_path or "mkdocs.yml").resolve().parent


def _dest_uri(src_uri: str, lang: str, default: str, use_directory_urls: bool) -> str:
    stem = src_uri[: -len(".ipynb")]
    dest = f"{stem}/index.html" if use_directory_urls else f"{stem}.html"
    return dest if lang == default else f"{lang}/{dest}"


def _make_file(config, src_uri: str, abs_src_path: str | None, lang: str, default: str):
    f = NotebookPageFile(
        src_uri,
        src_dir=None,
        dest_dir=config.site_dir,
        use_directory_urls=config.use_directory_urls,
        dest_uri=_dest_uri(src_uri, lang, default, config.use_directory_urls),
    )
    f.generated_by = "hooks/notebooks.py"
    f.abs_src_path = abs_src_path
    f._content = None
    # metadata that mkdocs-static-i18n puts on its own files
    f.locale = lang
    f.locale_alternate_of = lang
    f.localization = None if lang == default else lang
    f.norm_src_uri = src_uri
    return f


# nav section dict -> its children as written in mkdocs.yml (the config's nav
# is filled in place and seen again by the next language's build)
_original_sections: dict[int, tuple[dict, list]] = {}


def _fill_nav(nav, notebooks: list[Path], lang: str) -> None:
    """Fill the notebooks section of ``nav`` (a list of dicts/str) in place."""
    if not isinstance(nav, list):
        return
    for item in nav:
        if not isinstance(item, dict):
            continue
        for title, children in item.items():
            if title in NOTEBOOK_SECTIONS and (children is None or isinstance(children, list)):
                key = id(item)
                if key not in _original_sections or _original_sections[key][0] is not item:
                    _original_sections[key] = (item, list(children or []))
                listed = list(_original_sections[key][1])
                present = set()
                for entry in listed:
                    values = entry.values() if isinstance(entry, dict) else [entry]
                    present.update(v for v in values if isinstance(v, str))
                for path in notebooks:
                    src_uri = f"{NOTEBOOKS_URI}/{path.name}"
                    if src_uri in present:
                        continue
                    try:
                        title_text = notebook_title(_read_notebook(path), lang, path.stem)
                    except (OSError, ValueError) as exc:
                        log.warning(f"Cannot read notebook {path}: {exc}")
                        title_text = path.stem
                    listed.append({title_text: src_uri})
                item[title] = listed
            elif isinstance(children, list):
                _fill_nav(children, notebooks, lang)


@event_priority(-200)  # after mkdocs-static-i18n (-100) picked the language
def on_config(config):
    lang, _default, _langs = _languages(config)
    notebooks = find_notebooks(_root(config))
    if config.nav:
        _fill_nav(config.nav, notebooks, lang)
    return config


@event_priority(-200)  # after mkdocs-static-i18n rebuilt the file list (-100)
def on_files(files, config):
    lang, default, langs = _languages(config)
    scratch = Path(_scratch_dir()) / lang
    scratch.mkdir(parents=True, exist_ok=True)
    added = []
    for path in find_notebooks(_root(config)):
        src_uri = f"{NOTEBOOKS_URI}/{path.name}"
        try:
            nb = _read_notebook(path)
        except (OSError, ValueError) as exc:
            log.error(f"Cannot read notebook {path}: {exc}")
            continue
        target = scratch / path.name
        page_nb = static_widget_outputs(filter_notebook(nb, lang))
        text = json.dumps(page_nb, ensure_ascii=False, indent=1)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        f = _make_file(config, src_uri, str(target), lang, default)
        f.alternates = {other: (f if other == lang else _make_file(config, src_uri, None, other, default)) for other in langs}
        files.append(f)
        added.append(f)
    plugin = _i18n(config)
    if plugin is not None and added:
        pages = plugin.i18n_files_per_language.get(lang)
        if isinstance(pages, list):
            pages.extend(added)
    return files


# --------------------------------------------------------------------------
# no external fetches
# --------------------------------------------------------------------------

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_EXTERNAL = re.compile(r"""(?:src\s*=\s*["']?\s*(?:https?:)?//)""", re.I)
_FETCHING_BODY = re.compile(
    r"""(?:import\s*\(\s*["'`](?:https?:)?//|from\s+["'](?:https?:)?//|"""
    r"""https?://[^"'`\s]*(?:unpkg|jsdelivr|cdnjs|cdn\.)[^"'`\s]*|widgetRendererSrc|"""
    r"""text/x-mathjax-config)""",
    re.I,
)


def strip_external_scripts(html: str) -> str:
    """Remove <script> elements that would load code from another host."""

    def repl(m: re.Match) -> str:
        attrs, body = m.group(1), m.group(2)
        if _EXTERNAL.search(attrs) or "x-mathjax-config" in attrs:
            return ""
        if _FETCHING_BODY.search(body):
            return ""
        return m.group(0)

    return _SCRIPT.sub(repl, html)


def on_page_content(html, page, config, files):
    if isinstance(page.file, NotebookPageFile):
        html = strip_external_scripts(html)
    return html


# --------------------------------------------------------------------------
# offline search index
# --------------------------------------------------------------------------


@event_priority(-200)  # after mkdocs-static-i18n merged the languages' indexes
def on_post_build(config):
    """material's offline plugin inlines search/search_index.json into
    search_index.js (used by the search worker) at priority -100, which in the
    outer build can run before mkdocs-static-i18n has built the other language
    and merged the search index.  Write it again from the final index."""
    offline = config.plugins.get("material/offline") or config.plugins.get("offline")
    if offline is None or not offline.config.enabled:
        return
    folder = Path(config.site_dir) / "search"
    source = folder / "search_index.json"
    if source.is_file():
        data = source.read_text(encoding="utf-8")
        (folder / "search_index.js").write_text(f"var __index = {data}", encoding="utf-8")
