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
from heatmap.filters import vacancy_percent
from heatmap.model import CARRIER_FIELDS, FieldType, M2_PER_MU

# Fields a public viewer's export leaves out (who changed a record is internal).
INTERNAL_FIELDS = ("updated_by", "updated_at")
_EXCEL_FIELDS = [f.name for f in CARRIER_FIELDS if f.name != "geometry"]
_VOCABULARY = {"kind": "kind", "status": "status", "office_grade": "office_grade"}


def carrier_table(carriers: pd.DataFrame, lang: str, district_names: Mapping[str, str], internal: bool) -> pd.DataFrame:
    """Carriers as people read them: labels instead of codes, 亩 beside m², lon/lat instead of geometry."""
    out = pd.DataFrame(index=carriers.index)
    for name in _EXCEL_FIELDS:
        column = carriers[name]
        if name in _VOCABULARY:
            column = column.map(lambda v, voc=_VOCABULARY[name]: i18n.label(voc, v, lang))
        elif name == "district":
            column = column.map(lambda v: district_names.get(v, v))
        elif name == "industries":
            column = column.map(lambda values: "、".join(i18n.label("industry", v, lang) for v in (values or ())))
        elif name == "is_public":
            column = column.map(lambda v: i18n.t("common.yes" if v else "common.no", lang))
        out[i18n.t(f"field.{name}", lang)] = column
        if name == "area_m2":
            land_mu = (carriers["area_m2"] / M2_PER_MU).where(carriers["kind"] == "land")
            out[i18n.t("field.land_mu", lang)] = land_mu.round(2)
        if name == "vacant_m2":
            out[i18n.t("field.vacancy_pct", lang)] = vacancy_percent(carriers).round(1)
    out[i18n.t("field.lon", lang)] = carriers["lon"].round(6)
    out[i18n.t("field.lat", lang)] = carriers["lat"].round(6)
    if internal:
        for name in INTERNAL_FIELDS:
            out[i18n.t(f"field.{name}", lang)] = carriers[name]
    return out.reset_index(drop=True)


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
