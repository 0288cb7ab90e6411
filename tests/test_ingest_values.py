"""Cell text as people write it -> typed values in the model's units, or a located problem (heatmap.ingest.values)."""
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import shapely

from heatmap import i18n
from heatmap.ingest import values as V
from heatmap.ingest.values import (
    CellProblem,
    ValueProblem,
    parse_column,
    parse_coordinate_column,
    parse_date,
    parse_number,
    parse_ratio_column,
    parse_wkt_column,
)
from heatmap.model import CARRIER_FIELD, DAYS_PER_MONTH, M2_PER_MU

F = CARRIER_FIELD


def one(field, cell, unit=None):
    """(value, [(key, severity)]) for a single cell of a column of `field`."""
    values, problems = parse_column(F[field], pd.Series([cell], dtype=object), unit)
    assert all(p.index == 0 for p in problems)
    return values[0], [(p.key, p.severity) for p in problems]


def close(a, b):
    return a is not None and math.isclose(a, b, rel_tol=1e-9)


# --- numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, cell, unit, expected", [
    ("area_m2", "1200", None, 1200.0),
    ("area_m2", 1200, None, 1200.0),
    ("area_m2", 1200.5, None, 1200.5),
    ("area_m2", "1,200", None, 1200.0),
    ("area_m2", "1，200", None, 1200.0),
    ("area_m2", "1,200.5", None, 1200.5),
    ("area_m2", "1200㎡", None, 1200.0),
    ("area_m2", "1200m2", None, 1200.0),
    ("area_m2", "1200 m²", None, 1200.0),
    ("area_m2", "1200 平方米", None, 1200.0),
    ("area_m2", "1200平米", None, 1200.0),
    ("area_m2", "3.5万", None, 35000.0),
    ("area_m2", "3.5万㎡", None, 35000.0),
    ("area_m2", "3.5万平方米", None, 35000.0),
    ("area_m2", "12亩", None, 12 * M2_PER_MU),
    ("area_m2", "0.8公顷", None, 8000.0),
    ("area_m2", "１２００", None, 1200.0),
    ("area_m2", "１２００㎡", None, 1200.0),
    ("area_m2", "  1200  ", None, 1200.0),
    ("area_m2", "-5", None, -5.0),  # the model reports it as negative
    ("area_m2", "12", "mu", 12 * M2_PER_MU),  # header unit
    ("area_m2", 12, "mu", 12 * M2_PER_MU),
    ("area_m2", "1200㎡", "mu", 1200.0),  # the cell's own unit overrides the header's
    ("area_m2", "2", "wan_m2", 20000.0),
    ("area_m2", "2", "ha", 20000.0),
    ("leasable_m2", "800㎡", None, 800.0),
    ("vacant_m2", "1.5亩", None, 1.5 * M2_PER_MU),
    ("rent_cny_m2_month", "25", None, 25.0),
    ("rent_cny_m2_month", "25元", None, 25.0),
    ("rent_cny_m2_month", "25元/㎡/月", None, 25.0),
    ("rent_cny_m2_month", "25元/平米·月", None, 25.0),
    ("rent_cny_m2_month", "1.2元/㎡/天", None, 1.2 * DAYS_PER_MONTH),
    ("rent_cny_m2_month", "1.2元/㎡·日", None, 1.2 * DAYS_PER_MONTH),
    ("rent_cny_m2_month", "1.2", "cny_m2_day", 1.2 * DAYS_PER_MONTH),
    ("rent_cny_m2_month", "1.2元", "cny_m2_day", 1.2 * DAYS_PER_MONTH),
    ("rent_cny_m2_month", "30元/㎡/月", "cny_m2_day", 30.0),
    ("property_fee_cny_m2_month", "6元/㎡/月", None, 6.0),
    ("land_price_wan_mu", "80", None, 80.0),
    ("land_price_wan_mu", "80万元/亩", None, 80.0),
    ("land_price_wan_mu", "80万/亩", None, 80.0),
    ("land_price_wan_mu", "80万", None, 80.0),
    ("land_price_wan_mu", "800000元/亩", None, 80.0),
    ("land_price_wan_mu", "800000", "cny_mu", 80.0),
    ("clear_height_m", "6米", None, 6.0),
    ("clear_height_m", "8.5m", None, 8.5),
    ("floor_load_kn_m2", "30kN/㎡", None, 30.0),
    ("floor_load_kn_m2", "2吨/㎡", None, 2 * 9.8),
    ("floor_load_kn_m2", "3t/m2", None, 3 * 9.8),
    ("crane_t", "10t", None, 10.0),
    ("crane_t", "10吨", None, 10.0),
    ("power_kva", "2000kVA", None, 2000.0),
    ("power_kva", "2000千伏安", None, 2000.0),
    ("power_kva", "2MVA", None, 2000.0),
    ("plot_ratio", "1.5", None, 1.5),
    ("floors", "5层", None, 5),
    ("floors", "5F", None, 5),
    ("floors", 5.0, None, 5),
    ("floors", 5.5, None, 5.5),  # left to the model: not_an_integer
])
def test_numbers_as_people_write_them(field, cell, unit, expected):
    value, problems = one(field, cell, unit)
    assert problems == []
    assert close(value, expected), value


def test_floors_are_integers():
    value, _ = one("floors", "5")
    assert value == 5 and isinstance(value, int)


@pytest.mark.parametrize("field, cell, unit, key", [
    ("area_m2", "待定", None, "not_a_number"),
    ("area_m2", "面议", None, "not_a_number"),
    ("area_m2", "N/A", None, "not_a_number"),
    ("area_m2", "无", None, "not_a_number"),
    ("area_m2", "abc", None, "not_a_number"),
    ("area_m2", "1,2", None, "not_a_number"),  # a decimal comma or a typo: ambiguous
    ("area_m2", "1,2000", None, "not_a_number"),
    ("area_m2", "inf", None, "not_a_number"),
    ("area_m2", True, None, "not_a_number"),
    ("area_m2", dt.date(2020, 1, 1), None, "not_a_number"),
    ("area_m2", "1000-2000", None, "number_range"),
    ("area_m2", "1000~2000", None, "number_range"),
    ("area_m2", "85%", None, "unit_not_allowed"),
    ("area_m2", "12kg", None, "unit_not_allowed"),
    ("area_m2", "12xyz", None, "unknown_unit"),
    ("area_m2", "12", "cny_m2_month", "unit_not_allowed"),  # header unit of the wrong kind
    ("rent_cny_m2_month", "12亩", None, "unit_not_allowed"),
    ("rent_cny_m2_month", "25元/㎡", None, "rent_period_missing"),
    ("rent_cny_m2_month", "25元/月", None, "unknown_unit"),
    ("land_price_wan_mu", "80元/㎡/月", None, "unit_not_allowed"),
    ("power_kva", "2000kW", None, "unit_not_allowed"),  # kW -> kVA needs a power factor
    ("clear_height_m", "6吨", None, "unit_not_allowed"),
    ("plot_ratio", "1.5%", None, "unit_not_allowed"),
    ("area_m2", "=SUM(A1:A3)", None, "formula_cell"),
    ("area_m2", "=1200", None, "formula_cell"),
    ("area_m2", "@SUM(1)", None, "formula_cell"),
    ("area_m2", "-A1", None, "formula_cell"),
    ("area_m2", "+A1", None, "formula_cell"),
    ("area_m2", "#DIV/0!", None, "spreadsheet_error"),
    ("area_m2", "<b>12</b>", None, "markup_in_text"),
])
def test_number_problems(field, cell, unit, key):
    value, problems = one(field, cell, unit)
    assert value is None
    assert problems == [(key, "error")]


def test_approximate_values_are_read_with_a_warning():
    for cell in ("约1200", "大约1200", "1200左右", "~1200", "≈1200"):
        value, problems = one("area_m2", cell)
        assert value == 1200.0, cell
        assert problems == [("approximate_value", "warning")], cell


@pytest.mark.parametrize("cell", [None, "", "   ", "\u3000", float("nan"), "-", "—", "–", "/", "——"])
def test_empty_cells_are_none_without_problem(cell):
    for field in ("area_m2", "name", "verified_on", "status", "industries", "is_public"):
        assert one(field, cell) == (None, []), (field, cell)


def test_problem_params_name_the_value():
    _, problems = parse_column(F["area_m2"], pd.Series(["1200", "待定", "12kg"], dtype=object))
    assert [(p.index, p.key) for p in problems] == [(1, "not_a_number"), (2, "unit_not_allowed")]
    assert problems[0].params["value"] == "待定"
    assert problems[1].params["unit"] == "kg"
    text = i18n.t(f"ingest.{problems[1].key}", "en", **problems[1].params)
    assert "12kg" in text and "m²" in text


def test_parse_number_scalar_core():
    assert parse_number("3.5万㎡", quantity="area") == 35000.0
    assert parse_number("12", "mu", quantity="area") == pytest.approx(8000.0)
    assert parse_number("1.2元/㎡/天", quantity="rent") == pytest.approx(1.2 * DAYS_PER_MONTH)
    with pytest.raises(ValueProblem) as error:
        parse_number("面议", quantity="rent")
    assert error.value.key == "not_a_number" and error.value.params == {"value": "面议"}


def test_problems_are_located_in_a_long_column():
    cells = ["100"] * 1000 + ["待定"] + ["200㎡"] * 500 + ["待定"]
    values, problems = parse_column(F["area_m2"], pd.Series(cells, dtype=object))
    assert [(p.index, p.key) for p in problems] == [(1000, "not_a_number"), (1501, "not_a_number")]
    assert values[0] == 100.0 and values[1001] == 200.0 and values[1000] is None


def test_mixed_excel_types_in_one_column():
    cells = [1, 1.0, "1", True, None, np.float64(2.5), np.int64(3)]
    values, problems = parse_column(F["area_m2"], pd.Series(cells, dtype=object))
    assert values == [1.0, 1.0, 1.0, None, None, 2.5, 3.0]
    assert [(p.index, p.key) for p in problems] == [(3, "not_a_number")]


# --- ratios -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("85%", 0.85), ("0.85", 0.85), ("85", 0.85), (0.85, 0.85), (85, 0.85), ("８５％", 0.85),
    ("100%", 1.0), ("0", 0.0), ("1", 1.0), ("12.5%", 0.125),
])
def test_ratios(cell, expected):
    values, problems = parse_ratio_column(pd.Series([cell], dtype=object))
    assert problems == [] and values[0] == pytest.approx(expected)


@pytest.mark.parametrize("cell, key", [("150%", "ratio_out_of_range"), ("150", "ratio_out_of_range"), ("-5%", "ratio_out_of_range"),
                                       ("高", "not_a_ratio"), ("=A1/B1", "formula_cell"), ("85㎡", "unit_not_allowed")])
def test_ratio_problems(cell, key):
    values, problems = parse_ratio_column(pd.Series([cell], dtype=object))
    assert values == [None] and [p.key for p in problems] == [key]


def test_percent_header_makes_bare_numbers_percent():
    values, problems = parse_ratio_column(pd.Series(["0.5", "50", "50%"], dtype=object), unit="percent")
    assert problems == [] and values == pytest.approx([0.005, 0.5, 0.5])


# --- dates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "2020年7月6日", "2020年7月6号", "2020/7/6", "2020-07-06", "2020.7.6", "20200706", 20200706, "2020-07-06 00:00:00",
    "２０２０年７月６日", dt.datetime(2020, 7, 6, 15, 30), dt.date(2020, 7, 6), pd.Timestamp("2020-07-06"), 44018, 44018.0, "44018",
])
def test_dates(cell):
    values, problems = parse_column(F["verified_on"], pd.Series([cell], dtype=object))
    assert problems == [] and values == [dt.date(2020, 7, 6)]
    assert type(values[0]) is dt.date
    assert parse_date(cell) == dt.date(2020, 7, 6)


def test_month_only_dates_are_the_first_with_a_warning():
    for cell in ("2020年7月", "2020-07", "2020/7"):
        assert one("verified_on", cell) == (dt.date(2020, 7, 1), [("date_month_only", "warning")]), cell


@pytest.mark.parametrize("cell", ["7/6/2020", "6.7.2020", "2020/2/30", "2020", "abc", "明年", 100, 99999, True, "20201340"])
def test_not_dates(cell):
    assert one("verified_on", cell) == (None, [("not_a_date", "error")])
    with pytest.raises(ValueProblem):
        parse_date(cell)


# --- choices, lists, booleans -------------------------------------------------------------------------

@pytest.mark.parametrize("field, cells, code", [
    ("kind", ["产业用地", "工业用地", "土地", "Industrial land", "land", "LAND"], "land"),
    ("kind", ["厂房", "标准厂房", "Plant building", "factory"], "plant"),
    ("kind", ["商务楼宇", "写字楼", "办公楼", "楼宇", "Office tower", "office"], "office"),
    ("kind", ["其他", "其他载体", "仓库", "Other space"], "other"),
    ("status", ["可租售", "可租", "可售", "空置", "待租", "可租/可售", "Available", "vacant"], "available"),
    ("status", ["部分可用", "部分空置", "Partly available"], "partial"),
    ("status", ["意向", "锁定", "意向锁定", "已预订", "Reserved"], "reserved"),
    ("status", ["已满", "已租", "已售", "已出让", "满租", "Fully occupied"], "occupied"),
    ("status", ["在建", "规划", "在建/规划", "Under construction", "planned"], "planned"),
    ("office_grade", ["甲级", "A级", "甲", "A", "Grade A", "a"], "A"),
    ("office_grade", ["乙级", "B"], "B"),
    ("office_grade", ["丙级", "丙"], "C"),
])
def test_choices(field, cells, code):
    values, problems = parse_column(F[field], pd.Series(cells, dtype=object))
    assert problems == [] and values == [code] * len(cells)
    assert all(type(v) is str for v in values)


@pytest.mark.parametrize("field, cell", [("kind", "住宅"), ("status", "看情况"), ("office_grade", "超甲级")])
def test_unknown_choice_names_value_and_choices(field, cell):
    values, problems = parse_column(F[field], pd.Series([cell], dtype=object))
    assert values == [None] and [p.key for p in problems] == ["unknown_choice"]
    params = problems[0].params
    assert params["value"] == cell and params["choices"]
    assert i18n.t("ingest.unknown_choice", "zh", **params).startswith(f"“{cell}”")


@pytest.mark.parametrize("cell, codes", [
    ("生物医药，新材料", ["biomedicine", "new_materials"]),
    ("生物医药,新材料", ["biomedicine", "new_materials"]),
    ("汽车零部件;航空航天", ["auto_parts", "aerospace"]),
    ("汽车零部件；航空航天", ["auto_parts", "aerospace"]),
    ("总部经济、研发服务", ["headquarters", "rnd_services"]),
    ("高端装备/精密机械", ["precision_machinery"]),
    ("精密机械/汽车零部件", ["precision_machinery", "auto_parts"]),
    ("Auto parts, Biomedicine", ["auto_parts", "biomedicine"]),
    ("auto_parts", ["auto_parts"]),
    ("物流、物流", ["port_logistics"]),
])
def test_industries(cell, codes):
    values, problems = parse_column(F["industries"], pd.Series([cell], dtype=object))
    assert problems == [] and values == [codes]


def test_unknown_industry():
    values, problems = parse_column(F["industries"], pd.Series(["生物医药、化工"], dtype=object))
    assert values == [None] and [(p.key, p.params["value"]) for p in problems] == [("unknown_choice", "化工")]


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("Y", True), ("N", False), ("yes", True), ("No", False), ("TRUE", True), ("false", False),
    ("1", True), ("0", False), (1, True), (0, False), (True, True), (False, False), ("公开", True), ("不公开", False),
    ("对外", True), ("内部", False),
])
def test_bools(cell, expected):
    assert one("is_public", cell) == (expected, [])


def test_not_a_bool():
    assert one("is_public", "也许") == (None, [("not_a_bool", "error")])
    assert one("is_public", 2) == (None, [("not_a_bool", "error")])


# --- text -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("  城厢镇东仓北路地块 ", "城厢镇东仓北路地块"),
    ("+86 512 5353 0000", "+86 512 5353 0000"),
    ("-5", "-5"),
    (1001, "1001"),
    (1001.0, "1001"),
    ("A-1\n2号楼", "A-1\n2号楼"),  # a line break inside a cell (Alt+Enter) is text
    ("\u200bTC-001", "TC-001"),
    ("#1号楼", "#1号楼"),
    ("a > b", "a > b"),
])
def test_text(cell, expected):
    assert one("name", cell) == (expected, [])


@pytest.mark.parametrize("cell, key", [
    ('=HYPERLINK("http://x","y")', "formula_cell"),
    ("=cmd|' /C calc'!A0", "formula_cell"),
    ("@SUM(1)", "formula_cell"),
    ("+SUM(1)", "formula_cell"),
    ("-(1+1)", "formula_cell"),
    ("  =1+1", "formula_cell"),
    ("<script>alert(1)</script>", "markup_in_text"),
    ('<img src=x onerror="alert(1)">', "markup_in_text"),
    ("厂房<br>2号", "markup_in_text"),
    ("javascript:alert(1)", "markup_in_text"),
    ("名称\x00", "control_characters"),
    ("a\x1bb", "control_characters"),
    ("abc\u202edcba", "control_characters"),
    ("#N/A", "spreadsheet_error"),
    ("#VALUE!", "spreadsheet_error"),
])
def test_text_problems(cell, key):
    for field in ("name", "address", "code", "contact"):
        assert one(field, cell) == (None, [(key, "error")]), field


@pytest.mark.parametrize("field", ["status", "industries", "is_public", "verified_on", "rent_cny_m2_month", "floors"])
def test_formulas_are_refused_in_every_field_type(field):
    assert one(field, "=HYPERLINK(\"http://x\",\"y\")") == (None, [("formula_cell", "error")])


def test_district_names_become_codes_when_districts_are_given():
    districts = [{"code": "chengxiang", "name_zh": "城厢镇", "name_en": "Chengxiang Town", "aliases": "城厢;Chengxiang"}]
    cells = pd.Series(["城厢镇", "城厢", "Chengxiang Town", "chengxiang", "火星镇"], dtype=object)
    values, problems = parse_column(F["district"], cells, districts=districts)
    assert values == ["chengxiang"] * 4 + ["火星镇"] and problems == []
    assert parse_column(F["district"], cells)[0][0] == "城厢镇"  # without districts: as written


# --- coordinates and WKT ----------------------------------------------------------------------------

def test_coordinates():
    cells = pd.Series(["121.15", 121.15, "１２１.１５", "121.15°", "121.15°E", "E121.15", "东经121.15", "121°09′00″E", "121°9'0\"E",
                       "121度9分0秒", "", None, "-", "abc", "=A1", "3,480,000.5"], dtype=object)
    values, problems = parse_coordinate_column(cells)
    assert isinstance(values, np.ndarray) and values.dtype == float
    assert values[:10] == pytest.approx([121.15] * 10)
    assert np.isnan(values[10:15]).all()
    assert values[15] == 3480000.5
    assert [(p.index, p.key) for p in problems] == [(13, "not_a_coordinate"), (14, "formula_cell")]


def test_wkt():
    cells = pd.Series(["POINT (121.1 31.4)", "SRID=4326;POINT(121 31)", "POLYGON((0 0, 1 0, 1 1, 0 0))", "POLYGON((0 0, 1 0",
                       "不是几何", "", None], dtype=object)
    values, problems = parse_wkt_column(cells)
    assert values[0].equals(shapely.Point(121.1, 31.4)) and values[1].equals(shapely.Point(121, 31))
    assert values[2].geom_type == "Polygon" and values[3:] == [None] * 4
    assert [(p.index, p.key) for p in problems] == [(3, "invalid_wkt"), (4, "invalid_wkt")]


# --- i18n -------------------------------------------------------------------------------------------

KEYS = ["not_a_number", "number_range", "unknown_unit", "unit_not_allowed", "rent_period_missing", "approximate_value",
        "not_a_ratio", "ratio_out_of_range", "not_a_date", "date_month_only", "unknown_choice", "not_a_bool", "formula_cell",
        "markup_in_text", "control_characters", "spreadsheet_error", "not_a_coordinate", "invalid_wkt"]


@pytest.mark.parametrize("key", KEYS)
def test_every_problem_key_has_both_languages(key):
    assert i18n.has(f"ingest.{key}")


def test_every_key_the_parsers_emit_is_known():
    cells = ["1", "待定", "1-2", "12xyz", "12kg", "25元/㎡", "约1", "=A1", "<b>", "\x00", "#N/A"]
    emitted = set()
    for field in ("area_m2", "rent_cny_m2_month", "verified_on", "status", "industries", "is_public", "name"):
        emitted |= {p.key for p in parse_column(F[field], pd.Series(cells, dtype=object))[1]}
    emitted |= {p.key for p in parse_ratio_column(pd.Series(cells, dtype=object))[1]}
    emitted |= {p.key for p in parse_coordinate_column(pd.Series(cells, dtype=object))[1]}
    emitted |= {p.key for p in parse_wkt_column(pd.Series(cells, dtype=object))[1]}
    assert emitted <= set(KEYS) and len(emitted) >= 12
    for key in emitted:
        assert i18n.has(f"ingest.{key}")


def test_messages_name_the_value():
    problem = CellProblem(3, "not_a_number", {"value": "待定"})
    assert "待定" in V.problem_text(problem, "zh") and "待定" in V.problem_text(problem, "en")
