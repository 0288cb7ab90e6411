"""Not one mixed word: every page, rendered in each language (as the roles that reach it), shows only its
own language — no Chinese on an English or German page except proper names given in both scripts, no
Latin words on a Chinese page except units and codes — and never None, nan or an internal code. German
pages are German through and through (no key falls back to English), staff pages in German are English."""
from __future__ import annotations

import io
import json
import re

import pyarrow as pa
import pytest
from google.protobuf.message import Message

from heatmap import i18n
from heatmap.access import Role, Viewer
from heatmap.pipeline import duplicates
import sqlalchemy as sa

from heatmap.store import Store
from heatmap.store.schema import rules_table

from conftest import run_app

PUBLIC_PAGES = ["pages/home.py", "pages/map.py", "pages/vacancy.py", "pages/matching.py"]
STAFF_PAGES = ["pages/projects.py", "pages/reports.py", "pages/first_reports.py", "pages/transfers.py",
               "pages/scoreboard.py", "pages/grading.py", "pages/leading_group.py", "pages/duplicates.py",
               "pages/rules.py", "pages/standards.py", "pages/upload.py", "pages/inquiries.py"]
ADMIN = Viewer("admin", Role.ADMIN, None, "Admin")
LEADER = Viewer("leader", Role.LEADER, None, "Leader")
STAFF = Viewer("staff-liuhe", Role.STAFF, "liuhe", "Liu He")

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z]+")
# Latin a Chinese page may show: units, formats, products and sources by their own names, codes (upper
# case: TC-P-000012, CNY, GCJ-02, EPSG) and each language's own name in the language switch.
LATIN_ALLOWED = {"kVA", "kN", "GeoJSON", "Excel", "OpenStreetMap", "AMap", "Gaode", "Vonng", "adcode", "English",
                 "Deutsch", "Shapefile", "GeoPackage", "KML", "KMZ", "CSV", "ODS", "PDF", "xlsx", "xls", "csv",
                 "geojson", "gpkg", "zip", "kml", "kmz", "ods", "xlsb", "shp", "OIDC", "WGS", "http", "https", "km",
                 "LibreOffice"}
# Widget fields a reader never sees (ids, kinds, formats, icons).
HIDDEN_FIELDS = {"id", "form_id", "type", "tag", "icon", "format", "autocomplete", "component_name", "deferred_file_id",
                 "theme", "name", "url", "src", "mime", "file_name"}
RAW = re.compile(r"(?<![\w.])(None|nan|NaN|NaT|<NA>)(?![\w])")


def _strings(message: Message, out: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name in HIDDEN_FIELDS or field.name == "json_args":
            continue
        if field.name in ("value", "default") and type(message).__name__ in ("TextArea", "TextInput"):
            continue  # what a form holds for editing is data, as its author wrote it
        values = list(value) if not isinstance(value, (str, bytes, Message)) and hasattr(value, "__iter__") else [value]
        for item in values:
            if isinstance(item, Message):
                _strings(item, out)
            elif isinstance(item, str) and field.name == "columns":  # a data frame's column config (JSON)
                out += [c.get("label") or "" for c in json.loads(item).values() if isinstance(c, dict)]
                out += [c.get("help") or "" for c in json.loads(item).values() if isinstance(c, dict)]
            elif isinstance(item, str) and field.name == "spec":  # a chart's axis and legend titles
                out += _chart_titles(json.loads(item))
            elif isinstance(item, str):
                out.append(item)
            elif isinstance(item, bytes) and field.name == "data":  # a chart's or table's data (Arrow)
                out += _arrow_values(item)


def _chart_titles(spec) -> list[str]:
    titles = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                titles.append(value)
            elif key == "encoding" and isinstance(value, dict):
                for channel in value.values():
                    if (isinstance(channel, dict) and "title" not in channel and isinstance(channel.get("field"), str)
                            and "streamlit-generated" not in channel["field"]):
                        titles.append(channel["field"])  # untitled: the field's name is the axis title
            titles += _chart_titles(value) if isinstance(value, (dict, list)) and key != "encoding" else []
            if key == "encoding" and isinstance(value, dict):
                titles += [t for channel in value.values() for t in _chart_titles(channel)]
    elif isinstance(spec, list):
        for item in spec:
            titles += _chart_titles(item)
    return titles


def _arrow_values(data: bytes) -> list[str]:
    try:
        table = pa.ipc.open_stream(io.BytesIO(data)).read_all()
    except pa.ArrowInvalid:
        return []
    frame = table.to_pandas()
    values = [str(v) for column in frame.columns for v in frame[column].tolist() if isinstance(v, str)]
    return values + [str(v) for v in frame.index.tolist() if isinstance(v, str)]


def _map_texts(json_args: str) -> list[str]:
    """What a folium map shows: the text of its tooltips, popups, legend and layer names (HTML text)."""
    args = json.loads(json_args)
    markup = (args.get("script") or "") + (args.get("html") or "")
    markup = re.sub(r"//[^\n]*", "", markup)  # comments of the map's JavaScript
    return [m.strip() for m in re.findall(r">([^<>{};=()\"+`\\]+)<", markup) if m.strip()]


def visible_texts(at) -> list[str]:
    out: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and type(proto).__name__ == "Html":  # st.html: the text a reader sees, not the markup
            body = re.sub(r"<style.*?</style>", "", proto.body, flags=re.S)
            out.extend(m.strip() for m in re.findall(r">([^<>]+)<", body) if m.strip())
            out.extend(re.findall(r'(?:placeholder|aria-label|title)="([^"]+)"', body))
        elif proto is not None:
            _strings(proto, out)
            if type(proto).__name__ == "ComponentInstance":
                out.extend(_map_texts(proto.json_args))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [text for text in out if text]


def proper_names() -> set[str]:
    """Names given in both scripts: a site's Chinese name beside its English one (the record shows both)."""
    carriers = Store().carriers()
    both = carriers[carriers["name_en"].fillna("").str.strip() != ""]
    return set(both["name"]) | set(both["name_en"])


def addresses() -> set[str]:
    return set(Store().carriers()["address"].dropna())


def _leaves(document) -> list[str]:
    if isinstance(document, dict):
        return [leaf for key, value in document.items() for leaf in [*_leaves(key), *_leaves(value)]]
    if isinstance(document, list):
        return [leaf for value in document for leaf in _leaves(value)]
    return [document] if isinstance(document, str) else []


def data_as_written() -> set[str]:
    """Text that is data, shown as the districts wrote it: postal addresses (written for use in China), the
    pipeline's project names, investors and code names (the model has no second-language name for them yet:
    staff pages only), and people's names."""
    store = Store()
    projects = store.projects()
    values = {v for column in ("name", "investor", "code_name", "tech_needs") for v in projects[column].dropna()}
    versions = store.versions()
    values |= set(versions["created_by"].dropna()) | set(versions["note"].dropna())
    with store.engine.connect() as conn:  # every saved version of every rule book: its author, note and the
        for author, note, document in conn.execute(sa.select(rules_table.c.created_by, rules_table.c.note,  # names
                                                             rules_table.c.document)):  # it lists (places …)
            values |= {v for v in (author, note) if v} | set(_leaves(json.loads(document)))
    values |= set(_leaves(duplicates.DEFAULT_RULES))  # the duplicate check's lists: places in both scripts …
    values |= set(store.users()["username"])  # sign-in names: identifiers, the same in every language
    return addresses() | values | {v.display_name for v in (ADMIN, LEADER, STAFF)}


def offenders(at, lang: str) -> list[str]:
    written = sorted((n for n in proper_names() | data_as_written() if len(n.strip()) >= 2), key=len, reverse=True)
    as_written = re.compile("(?<![A-Za-z])(?:" + "|".join(map(re.escape, written)) + ")(?![A-Za-z])")
    found = []
    for text in visible_texts(at):
        text = as_written.sub(" ", text)  # proper names, and data as its authors wrote it
        text = re.sub(r"“[^”]*”", " ", text)  # a quotation of data (what to write in a file, an example name)
        if RAW.search(text):
            found.append(f"raw value: {text!r}")
        if lang == "zh":
            text = re.sub(r"{\w+(?::[^}]*)?}", " ", text)  # a pattern's placeholders, which the user types as they are
            words = [w for w in LATIN_WORD.findall(text) if w not in LATIN_ALLOWED and not w.isupper()]
            if words:
                found.append(f"Latin {words} in {text!r}")
        else:
            han = [h for h in HAN.findall(text.replace("中文", "")) if h.strip("　")]
            if han:
                found.append(f"Han {han} in {text!r}")
    return sorted(set(found))


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_speak_one_language(app_data, page, lang):
    i18n.FALLEN_BACK.clear()
    at = run_app(lang=lang, page=page)
    assert not offenders(at, lang)
    if lang == "de":
        assert not i18n.FALLEN_BACK, f"keys without German on {page}: {sorted(k for k, _ in i18n.FALLEN_BACK)}"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_as_staff_and_leaders_speak_one_language(app_data, page, lang):
    for viewer in (STAFF, LEADER):
        at = run_app(lang=lang, page=page, viewer=viewer)
        assert not offenders(at, lang), viewer.role


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_speak_one_language(app_data, page, lang):
    """Staff pages are Chinese and English; a German reader gets them in English."""
    at = run_app(lang=lang, page=page, viewer=ADMIN)
    assert not offenders(at, lang)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_downloads_name_sheets_columns_and_values_in_the_language(sqlite_store, small_sample, lang):
    """The map's and vacancy page's Excel: sheet names, column headers and vocabulary values in the language
    (district names, kinds, statuses, industries, yes/no), numbers as numbers."""
    import geopandas as gpd
    from openpyxl import load_workbook

    from heatmap import export

    carriers = gpd.GeoDataFrame(small_sample.carriers, geometry="geometry", crs=4326)
    carriers = carriers.assign(lon=carriers.geometry.representative_point().x, lat=carriers.geometry.representative_point().y)
    names = {d["code"]: i18n.district_name(d, lang) for d in sqlite_store.districts().to_dict("records")}
    sheets = {i18n.t("export.sheet_sites", lang): export.carrier_table(carriers, lang, names, internal=False),
              i18n.t("vacancy.sheet_freshness", lang): carriers[["code"]].head(1)}
    book = load_workbook(io.BytesIO(export.to_excel(sheets)))
    headers = [cell.value for cell in next(book[book.sheetnames[0]].iter_rows(max_row=1))]
    words = book.sheetnames + headers
    text_columns = {i18n.t(f"field.{f}", lang) for f in ("kind", "status", "district", "industries", "is_public",
                                                           "price_negotiable")}
    values = [cell.value for row in book[book.sheetnames[0]].iter_rows(min_row=2)
              for header, cell in zip(headers, row) if header in text_columns and cell.value]
    if lang == "zh":
        assert not [w for w in words + values
                    if [x for x in LATIN_WORD.findall(str(w)) if x not in LATIN_ALLOWED and not x.isupper()]]
    else:
        assert not [w for w in words + values if HAN.search(str(w))]
    assert not [v for v in values if RAW.search(str(v))]
    if lang == "de":
        assert "Flächen" in book.sheetnames and "Flächenart" in headers and "Industriegrundstück" in values
        assert {"Großgemeinde Liuhe", "Entwicklungszone Hafen Taicang"} & set(values)
