"""glossary.yml is the single source of truth for the course's terms.

Checks that it is well formed and that both glossary pages of the guide
(docs/glossary.md in Chinese, docs/glossary.en.md in English) contain every
English and Chinese term it defines, and list exactly its rejected Chinese
variants (``zh_rejected``, enforced in the prose by tests/test_terminology.py).
"""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY_YML = ROOT / "glossary.yml"
GLOSSARY_PAGES = [ROOT / "docs" / "glossary.md", ROOT / "docs" / "glossary.en.md"]
KEYS = ("en", "zh", "en_def", "zh_def")
OPTIONAL_KEYS = ("zh_rejected",)
#: header of the table of preferred and rejected Chinese wordings, per page
REJECTED_TABLE_HEADER = {"glossary.md": "| 统一用词 |", "glossary.en.md": "| Preferred Chinese |"}
MIN_ENTRIES = 60


@pytest.fixture(scope="module")
def entries():
    with GLOSSARY_YML.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, list), "glossary.yml must be a YAML list"
    return data


def test_entries_have_all_keys(entries):
    for i, entry in enumerate(entries):
        assert isinstance(entry, dict), f"entry {i} is not a mapping: {entry!r}"
        for key in KEYS:
            value = entry.get(key)
            assert isinstance(value, str) and value.strip(), (
                f"entry {i} ({entry.get('en')!r}) has an empty or missing {key!r}"
            )


def test_no_unknown_keys(entries):
    for entry in entries:
        unknown = set(entry) - set(KEYS) - set(OPTIONAL_KEYS)
        assert not unknown, f"{entry.get('en')!r} has unknown keys {sorted(unknown)}"


def test_rejected_variants_are_well_formed(entries):
    """A rejected variant is a non-empty string that is no entry's preferred term."""
    preferred = {e["zh"].strip() for e in entries}
    for entry in entries:
        if "zh_rejected" not in entry:
            continue
        variants = entry["zh_rejected"]
        assert isinstance(variants, list) and variants, f"{entry['en']!r}: zh_rejected must be a non-empty list"
        for variant in variants:
            assert isinstance(variant, str) and variant.strip() == variant and variant, (
                f"{entry['en']!r}: bad rejected variant {variant!r}"
            )
            assert variant not in preferred, (
                f"{entry['en']!r}: {variant!r} is rejected here but preferred for another term"
            )


def test_enough_unique_entries(entries):
    en_terms = [e["en"].strip() for e in entries]
    zh_terms = [e["zh"].strip() for e in entries]
    assert len(set(en_terms)) == len(en_terms), "duplicate English terms in glossary.yml"
    assert len(set(zh_terms)) == len(zh_terms), "duplicate Chinese terms in glossary.yml"
    assert len(set(en_terms)) >= MIN_ENTRIES, (
        f"glossary.yml has {len(set(en_terms))} unique entries, expected at least {MIN_ENTRIES}"
    )


@pytest.mark.parametrize("page", GLOSSARY_PAGES, ids=lambda p: p.name)
def test_every_term_is_on_the_page(entries, page):
    text = page.read_text(encoding="utf-8")
    missing = [
        (lang, entry[lang])
        for entry in entries
        for lang in ("en", "zh")
        if entry[lang] not in text
    ]
    assert not missing, f"{page.name} is missing glossary terms: {missing}"


def _term_table_rows(text, header="| English term |"):
    """(first, second) cell pairs from the table whose header starts with ``header``."""
    rows, in_table = [], False
    for line in text.splitlines():
        if line.startswith(header):
            in_table = True
            continue
        if in_table:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if set(cells[0]) <= {"-", " ", ":"}:
                continue  # the |---|---| separator
            rows.append((cells[0], cells[1]))
    return rows


@pytest.mark.parametrize("page", GLOSSARY_PAGES, ids=lambda p: p.name)
def test_term_table_matches_yaml_exactly(entries, page):
    rows = _term_table_rows(page.read_text(encoding="utf-8"))
    expected = [(e["en"].strip(), e["zh"].strip()) for e in entries]
    assert sorted(rows) == sorted(expected), (
        f"{page.name}: term table differs from glossary.yml; "
        f"only on page: {sorted(set(rows) - set(expected))}, "
        f"only in yaml: {sorted(set(expected) - set(rows))}"
    )


@pytest.mark.parametrize("page", GLOSSARY_PAGES, ids=lambda p: p.name)
def test_rejected_table_matches_yaml_exactly(entries, page):
    """The page's preferred/rejected table: one row per entry with zh_rejected, variants joined by 、."""
    rows = _term_table_rows(page.read_text(encoding="utf-8"), REJECTED_TABLE_HEADER[page.name])
    expected = [(e["zh"].strip(), "、".join(e["zh_rejected"])) for e in entries if e.get("zh_rejected")]
    assert expected, "glossary.yml names no rejected variants"
    assert sorted(rows) == sorted(expected), (
        f"{page.name}: rejected-variants table differs from glossary.yml; "
        f"only on page: {sorted(set(rows) - set(expected))}, "
        f"only in yaml: {sorted(set(expected) - set(rows))}"
    )
