"""Header cells -> model fields and units (heatmap.ingest.headers)."""
import pytest

from heatmap.ingest.headers import ALIASES, SPECIALS, ColumnTarget, header_score, match_header, match_headers, normalize_header
from heatmap.model import CARRIER_FIELDS


@pytest.mark.parametrize("header, field, unit", [
    ("编号", "code", None), ("载体编号", "code", None), ("代码", "code", None), ("code", "code", None), ("ID", "code", None),
    ("名称", "name", None), ("载体名称", "name", None), ("项目名称", "name", None), ("Name", "name", None),
    ("英文名", "name_en", None), ("name_en", "name_en", None),
    ("类型", "kind", None), ("载体类型", "kind", None), ("kind", "kind", None), ("Type", "kind", None),
    ("区镇", "district", None), ("所属区镇", "district", None), ("镇区", "district", None), ("板块", "district", None),
    ("District", "district", None), ("town", "district", None),
    ("地址", "address", None), ("Address", "address", None),
    ("面积", "area_m2", None), ("总面积", "area_m2", None), ("建筑面积", "area_m2", None), ("建筑面积(㎡)", "area_m2", "m2"),
    ("建筑面积（㎡）", "area_m2", "m2"), ("用地面积", "area_m2", None), ("土地面积(亩)", "area_m2", "mu"),
    ("土地面积（亩）", "area_m2", "mu"), ("占地面积", "area_m2", None), ("area", "area_m2", None), ("area_m2", "area_m2", None),
    ("GFA", "area_m2", None), ("面积（万㎡）", "area_m2", "wan_m2"), ("用地面积（公顷）", "area_m2", "ha"),
    ("面积(ha)", "area_m2", "ha"), ("面积(平方米)", "area_m2", "m2"), ("面积(平米)", "area_m2", "m2"), ("面积 m²", "area_m2", "m2"),
    ("面积㎡", "area_m2", "m2"), ("Area (m²)", "area_m2", "m2"),
    ("可租售面积", "leasable_m2", None), ("可出租面积", "leasable_m2", None), ("leasable", "leasable_m2", None),
    ("空置面积", "vacant_m2", None), ("闲置面积", "vacant_m2", None), ("vacant", "vacant_m2", None), ("vacant_area", "vacant_m2", None),
    ("空置率", "vacancy_rate", None), ("vacancy rate", "vacancy_rate", None), ("空置率(%)", "vacancy_rate", "percent"),
    ("出租率", "occupancy_rate", None), ("入驻率", "occupancy_rate", None), ("occupancy", "occupancy_rate", None),
    ("状态", "status", None), ("status", "status", None),
    ("租金", "rent_cny_m2_month", None), ("租金(元/㎡/月)", "rent_cny_m2_month", "cny_m2_month"),
    ("租金（元/㎡/天）", "rent_cny_m2_month", "cny_m2_day"), ("租金（元/平米·月）", "rent_cny_m2_month", "cny_m2_month"),
    ("租金（元/㎡·日）", "rent_cny_m2_month", "cny_m2_day"), ("租金 元/㎡/天", "rent_cny_m2_month", "cny_m2_day"),
    ("rent", "rent_cny_m2_month", None), ("Rent (CNY/m²/day)", "rent_cny_m2_month", "cny_m2_day"),
    ("地价", "land_price_wan_mu", None), ("出让价", "land_price_wan_mu", None),
    ("土地价格(万元/亩)", "land_price_wan_mu", "wan_cny_mu"), ("出让价（元/亩）", "land_price_wan_mu", "cny_mu"),
    ("land price", "land_price_wan_mu", None),
    ("用地性质", "land_use_code", None), ("规划用途", "land_use_code", None), ("land use", "land_use_code", None),
    ("容积率", "plot_ratio", None), ("plot ratio", "plot_ratio", None), ("FAR", "plot_ratio", None),
    ("层数", "floors", None), ("楼层", "floors", None), ("floors", "floors", None),
    ("层高", "clear_height_m", None), ("净高", "clear_height_m", None), ("檐高", "clear_height_m", None),
    ("层高（米）", "clear_height_m", "m"), ("clear height", "clear_height_m", None), ("净高(m)", "clear_height_m", "m"),
    ("承重", "floor_load_kn_m2", None), ("地面承重", "floor_load_kn_m2", None), ("楼面荷载(kN/㎡)", "floor_load_kn_m2", "kn_m2"),
    ("承重（吨/㎡）", "floor_load_kn_m2", "t_m2"), ("floor load", "floor_load_kn_m2", None),
    ("行车", "crane_t", None), ("吊车", "crane_t", None), ("crane(t)", "crane_t", "t"), ("行车（吨）", "crane_t", "t"),
    ("电力", "power_kva", None), ("供电容量", "power_kva", None), ("变压器容量(kVA)", "power_kva", "kva"),
    ("power", "power_kva", None), ("电力（千伏安）", "power_kva", "kva"),
    ("等级", "office_grade", None), ("楼宇等级", "office_grade", None), ("grade", "office_grade", None),
    ("物业费", "property_fee_cny_m2_month", None), ("property fee", "property_fee_cny_m2_month", None),
    ("物业费（元/㎡/月）", "property_fee_cny_m2_month", "cny_m2_month"),
    ("适合产业", "industries", None), ("产业方向", "industries", None), ("industries", "industries", None),
    ("是否公开", "is_public", None), ("public", "is_public", None), ("是否公开（是/否）", "is_public", None),
    ("联系人", "contact", None), ("联系方式", "contact", None), ("contact", "contact", None),
    ("核实日期", "verified_on", None), ("更新日期", "verified_on", None), ("verified_on", "verified_on", None),
    ("last verified", "verified_on", None),
    ("来源", "source", None), ("source", "source", None),
    ("经度", "lon", None), ("lng", "lon", None), ("lon", "lon", None), ("Longitude", "lon", None),
    ("纬度", "lat", None), ("lat", "lat", None), ("latitude", "lat", None),
    ("X", "x", None), ("Y", "y", None), ("x坐标", "x", None), ("Y坐标", "y", None),
    ("WKT", "wkt", None), ("geometry", "wkt", None), ("几何", "wkt", None),
    ("序号", "ignore", None), ("修改人", "ignore", None), ("Changed at", "ignore", None),
    # the model's own names (the GeoJSON export's properties) are in the model's unit, whatever they end in
    ("floor_load_kn_m2", "floor_load_kn_m2", None), ("rent_cny_m2_month", "rent_cny_m2_month", None),
    # the usual decorations
    ("*名称", "name", None), ("名称*", "name", None), ("＊名称", "name", None), ("名称（必填）", "name", None),
    ("  载体 名称 ", "name", None), ("ＮＡＭＥ", "name", None), ("Area_M2", "area_m2", "m2"), ("名称:", "name", None),
    # bilingual (as in the template)
    ("*编号 Code", "code", None), ("面积（㎡） Area (m²)", "area_m2", "m2"), ("Area (m²) 面积（㎡）", "area_m2", "m2"),
    ("地价（万元/亩） Land price (CNY 10k/mu)", "land_price_wan_mu", "wan_cny_mu"),
])
def test_headers(header, field, unit):
    assert match_header(header) == ColumnTarget(field, unit)
    assert match_headers([header]).targets == {header: ColumnTarget(field, unit)}


@pytest.mark.parametrize("header", ["备注", "remarks", "面积 Name", "Unnamed: 3", "太仓市载体清单（2025年）"])
def test_unknown_headers(header):
    assert match_header(header) is None
    assert match_headers([header]).unknown == [header]


def test_normalize_header():
    assert normalize_header(" *土地面积（亩） ") == "土地面积"
    assert normalize_header("ＡＲＥＡ＿Ｍ２") == "aream2"
    assert normalize_header("Land Price (CNY 10k/mu)") == "landprice"
    assert normalize_header("名称（必填）") == "名称"
    assert normalize_header(None) == ""


def test_remembered_choices_take_priority():
    remembered = {normalize_header("备注"): "ignore", normalize_header("面积"): "leasable_m2", "栋号": "name"}
    match = match_headers(["备注", "面积（亩）", "栋号 ", "地址"], remembered)
    assert match.targets == {
        "备注": ColumnTarget("ignore"), "面积（亩）": ColumnTarget("leasable_m2", "mu"),
        "栋号 ": ColumnTarget("name"), "地址": ColumnTarget("address"),
    }
    assert match.unknown == [] and match.clashes == {}


def test_clashes_first_wins():
    match = match_headers(["编号", "建筑面积(㎡)", "用地面积（亩）", "名称", "面积", "序号", "序"])
    assert match.clashes == {"area_m2": ["建筑面积(㎡)", "用地面积（亩）", "面积"]}
    assert match.targets["建筑面积(㎡)"] == ColumnTarget("area_m2", "m2")
    assert "用地面积（亩）" not in match.targets and "面积" not in match.targets
    assert match.targets["序号"] == match.targets["序"] == ColumnTarget("ignore")  # any number of ignored columns
    assert match.unknown == []


def test_empty_header_cells_are_skipped():
    match = match_headers(["编号", None, "", "  ", "名称"])
    assert list(match.targets) == ["编号", "名称"] and match.unknown == []


def test_header_score_finds_the_header_row():
    rows = [
        ["太仓市2025年载体资源清单", None, None, None],
        ["填报单位：城厢镇", None, "填报日期：2025-06-30", None],
        ["序号", "载体名称", "面积（㎡）", "状态"],
        [1, "东仓北路地块", 20000, "可租售"],
    ]
    scores = [header_score(r) for r in rows]
    assert scores == [0.0, 0.0, 4.0, 0.0]
    assert max(range(len(rows)), key=scores.__getitem__) == 2


def test_every_field_and_special_has_aliases():
    names = {s.name for s in CARRIER_FIELDS if s.name != "geometry"} | set(SPECIALS) - {"ignore"}
    assert names <= set(ALIASES)
    for name in names:
        for alias in ALIASES[name]:
            target = match_header(alias)
            assert target is not None and target.field == name, (name, alias, target)
