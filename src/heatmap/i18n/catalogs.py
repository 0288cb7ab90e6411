"""The gettext catalogs of the app: one .po file per language, read with Babel.

Keys are the message ids (`kind.land`, `map.title` …); each language's heatmap.po gives their text.
Chinese (locale/zh) is the original: a key exists when zh.po has it. English must translate every key;
German translates what a public viewer can see and falls back to English for the rest (staff pages).

The .po files are read as they are (no compiled .mo to keep in step): Babel parses all three in about
0.1 s, once per process. `extract_originals` is the extraction method `pybabel extract` uses (see
[tool.babel] in pyproject.toml) to make the template heatmap.pot from zh.po: every entry carries its
Chinese original and the English as comments for translators.
"""
from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Collection, Iterator, Mapping

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "heatmap"
SOURCE_LANGUAGE = "zh"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> dict[str, str]:
    """key -> text of one language's catalog: translated entries only (an empty or fuzzy entry is not a
    translation, as for gettext's msgfmt)."""
    path = po_path(lang)
    if not path.exists():
        return {}
    with open(path, "rb") as file:
        catalog = read_po(file, locale=None, domain=DOMAIN)
    return {message.id: message.string for message in catalog
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy}


def load(languages: Collection[str]) -> dict[str, dict[str, str]]:
    """Every language's catalog."""
    return {lang: read_catalog(lang) for lang in languages}


def extract_originals(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
                      options: Mapping[str, Any]) -> Iterator[tuple[int, None, str, list[str]]]:
    """A Babel extraction method: the messages of zh.po (the original), each with its Chinese text and the
    English translation (from en.po beside it) as comments for translators."""
    catalog = read_po(fileobj, domain=DOMAIN)
    english = read_catalog("en")
    for message in catalog:
        if not message.id:
            continue
        comments = [f"zh: {message.string}"]
        if english.get(message.id):
            comments.append(f"en: {english[message.id]}")
        yield message.lineno, None, message.id, comments
