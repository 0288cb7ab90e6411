"""The Excel template per carrier kind (heatmap.ingest.template): headers round-trip, the example row is valid."""
import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import shapely

from heatmap import config
from heatmap.ingest.headers import match_headers
from heatmap.ingest.template import SHEET_CARRIERS, SHEET_INSTRUCTIONS, district_records, template_fields, template_workbook
from heatmap.ingest.values import parse_column, parse_coordinate_column, parse_wkt_column
from heatmap.model import CARRIER_FIELD, CarrierKind, validate_carrier

KINDS = [k.value for k in CarrierKind]


def districts() -> set[str]:
    with open(config.REPO_ROOT / "data" / "districts.csv", encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f)}


def open_template(kind, lang="zh"):
    data = template_workbook(kind, lang)
    assert data[:2] == b"PK"  # an .xlsx is a zip
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headers_round_trip(kind, lang):
    wb = open_template(kind, lang)
    assert wb.sheetnames == [SHEET_CARRIERS, SHEET_INSTRUCTIONS]
    ws = wb[SHEET_CARRIERS]
    headers = [c.value for c in ws[1]]
    match = match_headers(headers)
    assert match.unknown == [] and match.clashes == {}
    fields = [match.targets[h].field for h in headers]
    expected = [s.name for s in template_fields(kind)]
    assert fields == expected + ["lon", "lat", "wkt"]
    # exactly the fields that apply to the kind
    assert set(expected) == {s.name for s in CARRIER_FIELD.values() if kind in s.kinds and s.name != "geometry"}
    for h in headers:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in h) and any(ch.isascii() and ch.isalpha() for ch in h), h
    required = {s.name for s in template_fields(kind) if s.required}
    assert {match.targets[h].field for h in headers if h.startswith("*")} == required
    assert ws.freeze_panes == "A2"
    assert all(ws.column_dimensions[c.column_letter].width >= 12 for c in ws[1])


def test_kinds_get_their_own_fields():
    def fields(kind):
        headers = [c.value for c in open_template(kind)[SHEET_CARRIERS][1]]
        return {t.field for t in match_headers(headers).targets.values()}

    assert {"land_price_wan_mu", "plot_ratio", "land_use_code"} <= fields("land")
    assert not {"rent_cny_m2_month", "floors", "crane_t", "office_grade"} & fields("land")
    assert {"rent_cny_m2_month", "clear_height_m", "floor_load_kn_m2", "crane_t", "power_kva"} <= fields("plant")
    assert not {"office_grade", "land_price_wan_mu"} & fields("plant")
    assert {"office_grade", "property_fee_cny_m2_month", "floors"} <= fields("office")
    assert not {"crane_t", "plot_ratio"} & fields("office")


@pytest.mark.parametrize("kind", KINDS)
def test_example_row_is_a_valid_record(kind):
    ws = open_template(kind)[SHEET_CARRIERS]
    headers = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    match = match_headers(headers)
    record, coords, wkt = {}, {}, None
    for header, cell in zip(headers, row):
        target = match.targets[header]
        column = pd.Series([cell], dtype=object)
        if target.field in ("lon", "lat"):
            values, problems = parse_coordinate_column(column)
            coords[target.field] = values[0]
        elif target.field == "wkt":
            values, problems = parse_wkt_column(column)
            wkt = values[0]
        else:
            values, problems = parse_column(CARRIER_FIELD[target.field], column, target.unit, districts=district_records())
            if values[0] is not None:
                record[target.field] = values[0]
        assert problems == [], (header, cell, problems)
    record["geometry"] = wkt if wkt is not None else shapely.Point(coords["lon"], coords["lat"])
    assert record["kind"] == kind
    assert validate_carrier(record, districts=districts(), today=dt.date(2026, 1, 1)) == []
    assert record["district"] in districts()
    assert not ws[2][headers.index("*所属区镇 District")].value.isascii()  # written as staff write it: 城厢镇 …


@pytest.mark.parametrize("lang, first", [("zh", "请在"), ("en", "Fill in")])
def test_instructions_sheet(lang, first):
    wb = open_template("plant", lang)
    info = wb[SHEET_INSTRUCTIONS]
    rows = [r for r in info.iter_rows(values_only=True)]
    assert rows[0][0].startswith(first)  # the chosen language first, the other after
    text = "\n".join(str(v) for r in rows for v in r if v)
    assert "WGS-84" in text and "CGCS2000" in text and "GCJ-02" in text
    headers = [c.value for c in wb[SHEET_CARRIERS][1]]
    explained = [r[0] for r in rows]
    assert all(h in explained for h in headers)  # every column explained
    assert "元/㎡/天" in text and "亩" in text and "chengxiang" in text and "可租售" in text


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        template_workbook("castle", "zh")
