"""Every user-facing string goes through heatmap.i18n: gettext catalogs in Chinese (the original), English
and German, read with Babel; numbers, money and dates in each language's own way."""
import ast
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from heatmap import i18n
from heatmap.i18n import catalogs
from heatmap.model import INDUSTRIES, CarrierKind, CarrierStatus, Category, DistrictKind, OfficeGrade, Stage, StageGroup

REPO = Path(__file__).resolve().parents[1]
CODE = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "src" / "heatmap").rglob("*.py"))]
CJK = re.compile(r"[\u3400-\u9fff]")
APP_NAME_ZH = "太仓投资热力图"  # the app's name, in the browser's title beside its English: a proper name in both scripts
PLACEHOLDER = re.compile(r"{(\w+)(?::[^}]*)?}")

# The areas of the catalog a public viewer can reach (the public pages, their sidebar, records, downloads,
# the inquiry form and its problems): German has every one of their keys.
PUBLIC_AREAS = {
    "app", "nav", "sidebar", "role", "sample", "district", "attribution", "common", "unit", "currency", "kind",
    "status", "category", "district_kind", "office_grade", "industry", "stage", "stage_group", "home", "col",
    "field", "problem", "map", "filters", "basemap", "layer", "legend", "tip", "vacancy", "matching", "criterion",
    "why", "inquiry", "export",
}


def _po(lang: str):
    with open(catalogs.po_path(lang), "rb") as file:
        return read_po(file)


def test_chinese_is_the_original_and_english_translates_every_key():
    english = catalogs.read_catalog("en")
    for key, texts in i18n.CATALOG.items():
        assert texts["zh"].strip(), key
        assert english.get(key, "").strip(), f"{key} has no English"
        assert set(PLACEHOLDER.findall(texts["zh"])) == set(PLACEHOLDER.findall(english[key])), f"{key}: placeholders differ"


def test_german_translates_every_public_key_with_the_same_placeholders():
    german = catalogs.read_catalog("de")
    missing = [key for key in i18n.CATALOG if key.split(".")[0] in PUBLIC_AREAS and not german.get(key, "").strip()]
    assert not missing, f"{len(missing)} public keys without German: {missing[:20]}"
    for key, text in german.items():
        assert key in i18n.CATALOG, f"de.po has {key}, which the original does not"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(i18n.CATALOG[key]["zh"])), f"{key}: placeholders differ"
        assert not CJK.search(text.replace(APP_NAME_ZH, "")), f"{key}: Chinese in the German text"


def test_a_translator_sees_the_chinese_original_beside_every_entry():
    for lang in ("en", "de"):
        for message in _po(lang):
            if message.id:  # (a long comment is wrapped over several lines)
                comment = " ".join(" ".join(message.auto_comments).split())
                assert f"zh: {' '.join(i18n.CATALOG[message.id]['zh'].split())}" in comment, f"{lang}.po {message.id}"


def test_the_template_is_made_from_the_original_by_pybabel(tmp_path):
    """`pybabel extract` (README) makes heatmap.pot from zh.po: the committed template is in step with it."""
    out = tmp_path / "heatmap.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "pyproject.toml", "--no-location",
                    "--no-wrap", "-o", str(out), "src"], cwd=REPO, check=True, capture_output=True,
                   env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"})
    with open(out, "rb") as file:
        made = {m.id: m.auto_comments for m in read_po(file) if m.id}
    with open(catalogs.LOCALE_DIR / "heatmap.pot", "rb") as file:
        committed = {m.id: m.auto_comments for m in read_po(file) if m.id}
    assert made == committed
    assert set(made) == set(i18n.CATALOG)


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
                elif literal.split(".")[0] in PUBLIC_AREAS and not i18n.translated(literal, "de") and not literal.endswith("."):
                    missing.append(f"{path.name}: {literal} (no German)")
    assert not missing


def test_pages_hold_no_untranslated_text():
    for path in [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]:
        offenders = [s for s in _string_literals(path) if CJK.search(s)]
        assert not offenders, f"{path.name} has text outside i18n: {offenders}"


@pytest.mark.parametrize("vocabulary, values", [
    ("kind", list(CarrierKind)), ("status", list(CarrierStatus)), ("stage", list(Stage)),
    ("stage_group", list(StageGroup)), ("category", list(Category)), ("industry", list(INDUSTRIES)),
    ("district_kind", list(DistrictKind)), ("office_grade", list(OfficeGrade)),
])
def test_every_vocabulary_value_has_a_name_in_every_language(vocabulary, values):
    for value in values:
        key = f"{vocabulary}.{value}"
        assert all(i18n.translated(key, lang) for lang in i18n.LANGUAGES), key


def test_lookup_and_fallbacks():
    assert i18n.t("kind.land", "zh") == "产业用地"
    assert i18n.t("kind.land", "en") == "Industrial land"
    assert i18n.t("kind.land", "de") == "Industriegrundstück"
    assert i18n.t("kind.land", "fr") == "Industrial land"  # a language the app does not have: English
    assert i18n.t("kind.land", None) == "产业用地"  # no language said at all: the platform's own
    assert i18n.t("home.data_date", "en", date="1 Jan 2026") == "Data as of 1 Jan 2026"
    assert i18n.label("stage", "signed", "en") == "Signed"
    assert i18n.label("stage", None, "en") == ""
    assert i18n.t("no.such.key", "de") == "no.such.key"


def test_staff_pages_fall_back_from_german_to_english():
    staff_key = next(k for k in i18n.CATALOG if k.startswith("rules.") and not i18n.translated(k, "de"))
    assert i18n.t(staff_key, "de") == i18n.t(staff_key, "en")
    assert (staff_key, "de") in i18n.FALLEN_BACK
    assert i18n.pick(("项目", "Project"), "de") == "Project"
    assert i18n.pick({"zh": "浏河镇", "en": "Liuhe Town", "de": "Großgemeinde Liuhe"}, "de") == "Großgemeinde Liuhe"


@pytest.mark.parametrize("asked, accept, locale, chosen", [
    ("de", "zh-CN,zh;q=0.9", None, "de"),  # the link's ?lang= first
    ("EN", None, None, "en"),
    (None, "zh-CN,zh;q=0.9,en;q=0.8", None, "zh"),  # a Chinese browser
    (None, "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", None, "de"),
    (None, "fr-FR,fr;q=0.9", None, "en"),  # a foreign browser: English, not Chinese
    (None, "fr-FR,fr;q=0.9,de;q=0.5", None, "de"),  # the first language the app has
    (None, "en;q=0.4,zh-TW;q=0.8", None, "zh"),  # by quality, not by position
    ("xx", "de-AT", None, "de"),  # an unknown ?lang=: the browser's rule
    ("xx", "ja-JP", None, "en"),
    (None, None, "de-DE", "de"),  # no header: the browser's own locale
    (None, None, None, "zh"),  # nothing said (no browser): the platform's own language
])
def test_the_first_language_of_a_visit(asked, accept, locale, chosen):
    assert i18n.choose_language(asked, accept, locale) == chosen


def test_formatting_in_chinese():
    assert i18n.fmt_cny_wan(35000, "zh") == "3.50 亿元"
    assert i18n.fmt_cny_wan(4500, "zh") == "4,500 万元"
    assert i18n.fmt_money_wan(1200, "USD", "zh") == "1,200 万美元"
    assert i18n.fmt_area_m2(1234.4, "zh") == "1,234 ㎡"
    assert i18n.fmt_area_large(3_138_000, "zh") == "313.8 万㎡"
    assert i18n.fmt_mu(50, "zh") == "50.0 亩"
    assert i18n.fmt_percent(0.2834) == "28.3%"
    assert i18n.fmt_percent(float("nan")) == "–"
    assert i18n.fmt_date(dt.date(2020, 7, 6), "zh") == "2020年7月6日"
    assert i18n.fmt_month(dt.date(2026, 9, 1), "zh") == "2026年9月"


def test_formatting_in_english_and_german_money_in_cny_million_and_approximately_in_euros():
    rate = i18n.ReferenceRate(8.0, dt.date(2026, 1, 5))
    assert i18n.fmt_cny_wan(1250, "en", approx_eur=True, eur=rate) == "CNY 12.5 m (≈ EUR 1.6 m)"
    assert i18n.fmt_cny_wan(1250, "de", approx_eur=True, eur=rate) == "12,5 Mio. CNY (≈ 1,6 Mio. EUR)"
    assert i18n.fmt_cny_wan(250000, "en", approx_eur=True, eur=rate) == "CNY 2.50 bn (≈ EUR 312.5 m)"
    assert i18n.fmt_cny_wan(0, "en", approx_eur=True, eur=rate) == "CNY 0.0 m"
    assert i18n.fmt_cny_wan(1250, "en") == "CNY 12.5 m"  # in running text (bands, changes): CNY alone
    assert i18n.fmt_cny_wan(1250, "zh", approx_eur=True) == "1,250 万元"  # Chinese readers: no euros
    assert i18n.fmt_money_wan(1200, "EUR", "en") == "EUR 12.0 m"
    assert i18n.fmt_money_wan(1200, "EUR", "de") == "12,0 Mio. EUR"


def test_the_euro_rate_is_data_with_a_default():
    assert i18n.eur_rate() == i18n.DEFAULT_EUR_RATE
    try:
        i18n.set_eur_rate(i18n.ReferenceRate(10.0, dt.date(2026, 3, 1)))
        assert i18n.fmt_cny_wan(1000, "en", approx_eur=True) == "CNY 10.0 m (≈ EUR 1.0 m)"
    finally:
        i18n.set_eur_rate(None)
    assert i18n.eur_rate() == i18n.DEFAULT_EUR_RATE


def test_formatting_in_english_and_german_units_and_separators():
    assert i18n.fmt_area_m2(1234.4, "de") == "1.234 m²"
    assert i18n.fmt_area_large(3_138_000, "en") == "3.14 million m²"
    assert i18n.fmt_area_large(3_138_000, "de") == "3,14 Mio. m²"
    assert i18n.fmt_mu(50, "en") == "50.0 mu (33,333 m²)"
    assert i18n.fmt_mu(50, "de") == "50,0 Mu (33.333 m²)"
    assert i18n.fmt_mu(1500, "de") == "1.500 Mu (1.000.000 m²)"
    assert i18n.fmt_mu(12.345, "en") == "12.3 mu (8,230 m²)"
    assert i18n.fmt_percent(0.2834, "en") == "28.3%"
    assert i18n.fmt_percent(0.2834, "de") == "28,3\xa0%"
    assert i18n.fmt_number(1234.5, 1, "de") == "1.234,5"
    assert i18n.fmt_number(12.0, 2, "de", trim=True) == "12"


def test_dates_with_the_languages_month_names():
    assert i18n.fmt_date(dt.date(2020, 7, 6), "en") == "6 Jul 2020"
    assert i18n.fmt_date(dt.date(2020, 10, 6), "de") == "6. Oktober 2020"
    assert i18n.fmt_date("2026-03-01", "de") == "1. März 2026"
    assert i18n.fmt_month(dt.date(2026, 9, 1), "de") == "September 2026"
    assert i18n.fmt_datetime(dt.datetime(2026, 10, 31, 16, 30), "en") == "1 Nov 2026 00:30"  # UTC+8
    assert i18n.fmt_date(None, "en") == "–" and i18n.fmt_date(float("nan"), "de") == "–"


def test_district_names_are_data_in_three_languages():
    district = {"code": "liuhe", "name_zh": "浏河镇", "name_en": "Liuhe Town", "name_de": "Großgemeinde Liuhe"}
    assert [i18n.district_name(district, lang) for lang in i18n.LANGUAGES] == ["浏河镇", "Liuhe Town", "Großgemeinde Liuhe"]
    assert i18n.district_name({**district, "name_de": None}, "de") == "Liuhe Town"
