"""Every user-facing string goes through heatmap.i18n, in Chinese and English."""
import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from heatmap import i18n
from heatmap.model import INDUSTRIES, CarrierKind, CarrierStatus, Category, Stage, StageGroup

REPO = Path(__file__).resolve().parents[1]
CODE = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "src" / "heatmap").rglob("*.py"))]
CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_string_has_both_languages():
    for key, (zh, en) in i18n.CATALOG.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), f"{key}: placeholders differ"


def _string_literals(path: Path):
    """String constants of a file, docstrings left out (they are for developers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def test_every_key_the_code_names_exists():
    prefixes = {key.split(".")[0] for key in i18n.CATALOG}
    missing = []
    for path in CODE:
        if path.parent.name == "i18n":
            continue
        for literal in _string_literals(path):
            if re.fullmatch(r"[a-z_]+\.[A-Za-z0-9_.+]+", literal) and literal.split(".")[0] in prefixes:
                if literal not in i18n.CATALOG and not literal.endswith("."):
                    missing.append(f"{path.name}: {literal}")
    assert not missing


def test_pages_hold_no_untranslated_text():
    for path in [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]:
        offenders = [s for s in _string_literals(path) if CJK.search(s)]
        assert not offenders, f"{path.name} has text outside i18n: {offenders}"


@pytest.mark.parametrize("vocabulary, values", [
    ("kind", list(CarrierKind)), ("status", list(CarrierStatus)), ("stage", list(Stage)),
    ("stage_group", list(StageGroup)), ("category", list(Category)), ("industry", list(INDUSTRIES)),
])
def test_every_vocabulary_value_has_a_name(vocabulary, values):
    for value in values:
        assert i18n.has(f"{vocabulary}.{value}"), f"{vocabulary}.{value}"


def test_lookup_and_fallbacks():
    assert i18n.t("kind.land", "zh") == "产业用地"
    assert i18n.t("kind.land", "en") == "Industrial land"
    assert i18n.t("kind.land", "fr") == "产业用地"  # unknown languages fall back to Chinese
    assert i18n.t("home.data_date", "en", date="1 Jan 2026") == "Data as of 1 Jan 2026"
    assert i18n.label("stage", "signed", "en") == "Signed"
    assert i18n.label("stage", None, "en") == ""


def test_formatting():
    assert i18n.fmt_cny_wan(35000, "zh") == "3.50 亿元"
    assert i18n.fmt_cny_wan(4500, "zh") == "4,500 万元"
    assert i18n.fmt_cny_wan(35000, "en") == "CNY 350.0 m"
    assert i18n.fmt_cny_wan(250000, "en") == "CNY 2.50 bn"
    assert i18n.fmt_money_wan(1200, "USD", "zh") == "1,200 万美元"
    assert i18n.fmt_money_wan(1200, "EUR", "en") == "EUR 12.0 m"
    assert i18n.fmt_area_m2(1234.4, "zh") == "1,234 ㎡"
    assert i18n.fmt_area_large(3_138_000, "zh") == "313.8 万㎡"
    assert i18n.fmt_area_large(3_138_000, "en") == "3.14 million m²"
    assert i18n.fmt_mu(12.345, "en") == "12.3 mu"
    assert i18n.fmt_percent(0.2834) == "28.3%"
    assert i18n.fmt_percent(float("nan")) == "–"
    assert i18n.fmt_date(dt.date(2020, 7, 6), "zh") == "2020年7月6日"
    assert i18n.fmt_date(dt.date(2020, 7, 6), "en") == "6 Jul 2020"
    assert i18n.fmt_datetime(dt.datetime(2026, 10, 31, 16, 30), "en") == "1 Nov 2026 00:30"  # UTC+8
