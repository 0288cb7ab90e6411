"""Files users take away: Excel and GeoJSON of what the filters selected.

Text from data is written as text: an Excel cell never becomes a formula (`=HYPERLINK(…)`, `=cmd|…`),
whatever the record says. A table that may leave as CSV (Streamlit's table download) holds text that a
spreadsheet would evaluate only behind an apostrophe (`formula_safe`).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Mapping

import geopandas as gpd
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from heatmap import i18n
from heatmap.filters import price_negotiable, vacancy_percent
from heatmap.model import CARRIER_FIELDS, FieldType, M2_PER_MU, price_field

# Fields a public viewer's export leaves out (who changed a record is internal).
INTERNAL_FIELDS = ("updated_by", "updated_at")
_EXCEL_FIELDS = [f.name for f in CARRIER_FIELDS if f.name != "geometry"]
_VOCABULARY = {"kind": "kind", "status": "status", "office_grade": "office_grade"}


def carrier_table(carriers: pd.DataFrame, lang: str, district_names: Mapping[str, str], internal: bool) -> pd.DataFrame:
    """Carriers as people read them: labels instead of codes, 亩 beside m², lon/lat instead of geometry.

    A negotiable price reads 面议 ("negotiable") in the price column, which the importer reads back as such."""
    out = pd.DataFrame(index=carriers.index)
    negotiable = price_negotiable(carriers)
    own_price = carriers["kind"].map(price_field)
    for name in _EXCEL_FIELDS:
        column = carriers[name] if name in carriers else pd.Series(None, index=carriers.index, dtype=object)
        if name in ("rent_cny_m2_month", "land_price_wan_mu"):
            says = negotiable & (own_price == name) & column.isna()
            if says.any():
                column = column.astype(object).where(~says, i18n.t("common.negotiable", lang))
        if name in _VOCABULARY:
            column = column.map(lambda v, voc=_VOCABULARY[name]: i18n.label(voc, v, lang))
        elif name == "district":
            column = column.map(lambda v: district_names.get(v, v))
        elif name == "industries":
            column = column.map(lambda values: i18n.list_separator(lang).join(i18n.label("industry", v, lang) for v in (values or ())))
        elif name == "is_public":
            column = column.map(lambda v: i18n.t("common.yes" if v else "common.no", lang))
        elif name == "price_negotiable":
            column = column.map(lambda v: i18n.t("common.yes" if v is True or v == 1 else "common.no", lang))
        out[i18n.t(f"field.{name}", lang)] = column
        if name == "area_m2":
            land_mu = (carriers["area_m2"] / M2_PER_MU).where(carriers["kind"] == "land")
            out[i18n.t("field.land_mu", lang)] = land_mu.round(2)
        if name == "vacant_m2":
            out[i18n.t("field.vacancy_pct", lang)] = vacancy_percent(carriers).round(1)
    # Coordinates at full precision: an export uploaded again unchanged must show "0 changed". Rounding
    # to 6 decimals (about 0.1 m) looked tidy but moved every point, and the upload saw each as changed;
    # the store compares geometries to 1e-9 degrees, and no tolerance there could tell a rounding from a
    # real survey correction of a few centimetres. Excel shows the same number either way.
    out[i18n.t("field.lon", lang)] = carriers["lon"]
    out[i18n.t("field.lat", lang)] = carriers["lat"]
    out[i18n.t("ingest.template_header_wkt", lang)] = carriers.geometry.map(boundary_wkt) if "geometry" in carriers else None
    if internal:
        for name in INTERNAL_FIELDS:
            out[i18n.t(f"field.{name}", lang)] = carriers[name]
    return out.reset_index(drop=True)


EXCEL_CELL_CHARS = 32_767  # the most characters an Excel cell holds
WKT_SURVEY_DECIMALS = 7  # 1e-7 degrees is about 1 cm: survey precision, for boundaries too long to write in full


def boundary_wkt(geometry) -> str | None:
    """The WKT of a boundary (anything but a point, which lon/lat carry), at full precision so that it reads
    back identical; a boundary too long for one Excel cell is written to survey precision (about 1 cm),
    and None if even that does not fit (the lon/lat columns still place the record)."""
    if geometry is None or geometry.is_empty or geometry.geom_type == "Point":
        return None
    text = shapely.to_wkt(geometry, rounding_precision=-1)
    if len(text) > EXCEL_CELL_CHARS:
        text = shapely.to_wkt(geometry, rounding_precision=WKT_SURVEY_DECIMALS, trim=True)
    return text if len(text) <= EXCEL_CELL_CHARS else None


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"^[+\-]?[\d,.\s]+%?$")


def formula_safe(value):
    """Text a spreadsheet opening a CSV would evaluate (it starts with = + - @, a tab or a line break, or
    their full-width forms) behind an apostrophe, as Excel itself shows text typed with one; signed plain
    numbers ("-5") and anything not text are returned as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


def _cell_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


def to_excel(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx with one sheet per frame (header row frozen); text cells are forced to be text."""
    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_cell_value(v) for v in row])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING  # "=…" stays text: never a formula
        for i, column in enumerate(frame.columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(40, max(10, len(str(column)) * 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_geojson(carriers: gpd.GeoDataFrame, *, sample: bool, internal: bool) -> bytes:
    """A GeoJSON FeatureCollection in WGS-84 with the carriers' own field values."""
    names = [f.name for f in CARRIER_FIELDS if f.name != "geometry"] + (list(INTERNAL_FIELDS) if internal else [])
    specs = {f.name: f for f in CARRIER_FIELDS}
    features = []
    geometries = shapely.to_geojson(carriers.geometry.values)
    for record, geometry in zip(carriers[names].to_dict("records"), geometries):
        properties = {}
        for name, value in record.items():
            spec = specs.get(name)
            if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
                properties[name] = None
            elif spec is not None and spec.type is FieldType.LIST:
                properties[name] = list(value)
            elif isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
                properties[name] = value.isoformat()
            elif hasattr(value, "item"):
                properties[name] = value.item()
            else:
                properties[name] = value
        features.append({"type": "Feature", "geometry": json.loads(geometry), "properties": properties})
    collection = {"type": "FeatureCollection", "name": "taicang_sites", "sample_data": sample, "features": features}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
