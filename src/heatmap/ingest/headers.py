"""Which column is which field: header cells in Chinese or English (with the usual variants) -> model fields.

A header is normalised (NFKC, lower case, no spaces/underscores/required marks, bracketed text set
aside) and looked up in ALIASES; a unit written in the header ("土地面积（亩）", "租金 元/㎡/天") is read
into ColumnTarget.unit. Bilingual headers ("面积（㎡） Area (m²)", as in the template) match when the
Chinese and the English part agree (or only one of them is known). Remembered user choices win.

Project files have their own table (PROJECT_ALIASES, `entity="project"`): the same word may mean another
field there (层高: the height a project needs, not a building's). An amount's header unit (投资额（亿元）,
（万美元）) is read by values.amount_unit.

Specials besides the CARRIER_FIELDS names: "lon"/"lat" (geographic), "x"/"y" (projected, as written:
which of them is easting is the crs module's business — Chinese surveying calls northing X), "wkt",
"vacancy_rate"/"occupancy_rate" (the pipeline turns them into vacant_m2), "ignore" (序号 and columns the
user chose to skip).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping

from heatmap import i18n
from heatmap.ingest.values import amount_unit, unit_code
from heatmap.model import CARRIER_FIELDS, PROJECT_FIELDS

HEADER_MAX_CHARS = 500
SPECIALS = ("lon", "lat", "x", "y", "wkt", "vacancy_rate", "occupancy_rate", "ignore")


@dataclass(frozen=True)
class ColumnTarget:
    field: str  # a CARRIER_FIELDS name, or one of SPECIALS
    unit: str | None = None  # a unit code read from the header ("mu", "m2", "cny_m2_day" …; see values.unit_code)


@dataclass
class HeaderMatch:
    targets: dict[str, ColumnTarget] = field(default_factory=dict)  # column as written -> target (first claimant only)
    unknown: list[str] = field(default_factory=list)  # columns not recognised, in file order
    clashes: dict[str, list[str]] = field(default_factory=dict)  # field -> all columns claiming it (first wins)


ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编号", "载体编号", "代码", "载体代码", "编码", "载体编码", "项目编号", "地块编号", "宗地编号", "宗地号", "资源编号",
             "code", "id", "carrier code", "carrier id", "carrier_code"),
    "name": ("名称", "载体名称", "项目名称", "地块名称", "厂房名称", "楼宇名称", "中文名称", "中文名", "载体名", "name", "name_zh",
             "carrier name", "name (chinese)", "chinese name"),
    "name_en": ("英文名", "英文名称", "英文", "name_en", "english name", "en name", "name in english"),
    "kind": ("类型", "载体类型", "类别", "载体类别", "资源类型", "载体种类", "kind", "type", "carrier type", "carrier kind"),
    "district": ("区镇", "所属区镇", "镇区", "板块", "所属板块", "所在区镇", "区域", "所属区域", "属地", "镇", "所属镇区",
                 "district", "town", "district/town", "zone"),
    "address": ("地址", "详细地址", "位置", "坐落", "坐落位置", "地点", "具体位置", "address", "location", "street address"),
    "area_m2": ("面积", "总面积", "建筑面积", "总建筑面积", "用地面积", "土地面积", "占地面积", "地块面积", "宗地面积", "出让面积",
                "厂房面积", "楼宇面积", "area", "area_m2", "gfa", "gross floor area", "floor area", "total area", "land area",
                "site area", "plot area", "size"),
    "leasable_m2": ("可租售面积", "可出租面积", "可租面积", "可售面积", "可出售面积", "可租赁面积", "可用面积", "可招商面积",
                    "招商面积", "leasable", "leasable area", "leasable_m2", "lettable area", "available area", "sellable area",
                    "leasable/sellable area"),
    "vacant_m2": ("空置面积", "闲置面积", "剩余面积", "未出租面积", "空余面积", "剩余可租面积", "vacant", "vacant area",
                  "vacant_m2", "vacant space", "idle area"),
    "vacancy_rate": ("空置率", "闲置率", "vacancy rate", "vacancy", "vacancy_rate"),
    "occupancy_rate": ("出租率", "入驻率", "使用率", "出租率/入驻率", "入住率", "occupancy", "occupancy rate", "occupancy_rate",
                       "occupied rate", "leased rate", "let rate"),
    "status": ("状态", "载体状态", "招商状态", "使用状态", "出租状态", "租售状态", "status", "availability", "state"),
    "rent_cny_m2_month": ("租金", "租金价格", "租赁价格", "租金单价", "参考租金", "出租价格", "租金标准", "租价", "rent",
                          "rental", "rent price", "asking rent", "rent_cny_m2_month"),
    "land_price_wan_mu": ("地价", "出让价", "出让价格", "土地价格", "土地单价", "挂牌价", "土地出让价", "出让单价", "土地出让价格",
                          "land price", "land_price", "land_price_wan_mu", "land cost"),
    "land_use_code": ("用地性质", "规划用途", "土地用途", "规划用地性质", "用地类型", "地类", "用途", "土地性质", "land use",
                      "land use code", "land_use", "land_use_code", "zoning", "planned land use"),
    "plot_ratio": ("容积率", "plot ratio", "plot_ratio", "far", "floor area ratio"),
    "floors": ("层数", "楼层", "楼层数", "总层数", "层", "floors", "storeys", "stories", "number of floors", "floor count"),
    "clear_height_m": ("层高", "净高", "檐高", "檐口高度", "首层层高", "厂房层高", "首层净高", "clear height", "clear_height",
                       "clear_height_m", "ceiling height", "eaves height", "height"),
    "floor_load_kn_m2": ("承重", "地面承重", "楼面荷载", "荷载", "楼面承重", "地坪承重", "地面荷载", "楼板承重", "floor load",
                         "floor_load", "floor_load_kn_m2", "load", "loading", "load capacity", "floor loading"),
    "crane_t": ("行车", "吊车", "行车吨位", "起重机", "天车", "行吊", "crane", "crane_t", "crane capacity", "overhead crane"),
    "power_kva": ("电力", "供电容量", "变压器容量", "供电", "用电容量", "电力容量", "配电容量", "电力配套", "power", "power_kva",
                  "power supply", "power capacity", "transformer capacity", "electricity"),
    "office_grade": ("等级", "楼宇等级", "写字楼等级", "办公等级", "楼宇级别", "grade", "office grade", "office_grade",
                     "building grade", "class"),
    "property_fee_cny_m2_month": ("物业费", "物管费", "物业管理费", "物业费标准", "property fee", "property_fee",
                                  "property_fee_cny_m2_month", "management fee", "property management fee", "service charge"),
    "price_negotiable": ("价格面议", "是否面议", "面议", "议价", "租金面议", "地价面议", "价格可议", "price negotiable",
                         "price_negotiable", "negotiable", "price on request", "negotiable price"),
    "industries": ("适合产业", "产业方向", "产业定位", "主导产业", "适宜产业", "适合行业", "招商方向", "意向产业", "industries",
                   "industry", "suitable industries", "target industries", "sectors"),
    "is_public": ("是否公开", "公开", "对外公开", "是否对外公开", "公开状态", "public", "is_public", "published", "visible"),
    "contact": ("联系人", "联系方式", "联系电话", "联系单位", "招商联系人", "联系人及电话", "contact", "contact person", "phone",
                "tel", "telephone", "contact info"),
    "verified_on": ("核实日期", "更新日期", "最近核实日期", "最新核实日期", "核查日期", "填报日期", "数据日期", "更新时间",
                    "核实时间", "verified_on", "verified on", "last verified", "verification date", "updated", "update date",
                    "last updated", "as of"),
    "source": ("来源", "数据来源", "信息来源", "source", "data source"),
    "lon": ("经度", "经度坐标", "东经", "lng", "lon", "long", "longitude", "wgs84经度"),
    "lat": ("纬度", "纬度坐标", "北纬", "lat", "latitude", "wgs84纬度"),
    "x": ("x", "x坐标", "横坐标", "坐标x", "x coordinate", "coord x"),
    "y": ("y", "y坐标", "纵坐标", "坐标y", "y coordinate", "coord y"),
    "wkt": ("wkt", "geometry", "geom", "几何", "几何形状", "范围", "边界", "坐标串", "红线范围", "地块范围", "用地范围",
            "shape", "polygon", "boundary"),
    "ignore": ("序号", "行号", "序"),
}

# the labels the app itself shows (i18n field.*), in both languages, are headers too
for _spec in CARRIER_FIELDS:
    if _spec.name == "geometry":
        continue
    _labels = tuple(i18n.t(f"field.{_spec.name}", lang) for lang in i18n.LANGUAGES)
    ALIASES[_spec.name] = ALIASES.get(_spec.name, ()) + _labels

# the export's "changed by / at" columns (internal exports): who last changed a record is not the file's to set
ALIASES["ignore"] += tuple(i18n.t(f"field.{name}", lang) for name in ("updated_by", "updated_at") for lang in i18n.LANGUAGES)

_BRACKETS = re.compile(r"[(（\[【〔{<《]([^)）\]】〕}>》]*)[)）\]】〕}>》]")
_REQUIRED = re.compile(r"必填|必须填写|required|\(必\)|（必）")
_DROP = re.compile(r"[\s_\*＊:：#'\"“”‘’]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _nfkc(text: Any) -> str:
    return unicodedata.normalize("NFKC", "" if text is None else str(text)).lower()


def normalize_header(text: Any) -> str:
    """The lookup form of a header cell: NFKC, lower case, bracketed text and required marks dropped, no spaces/underscores/'*'."""
    t = _nfkc(text).replace("㎡", "m2").replace("²", "2")
    t = _REQUIRED.sub("", t)
    t = _BRACKETS.sub("", t)
    t = _DROP.sub("", t)
    return t.strip(".-/")


def _key(alias: str) -> str:
    return normalize_header(alias)


_FIELD_NAMES = frozenset(s.name for s in CARRIER_FIELDS if s.name != "geometry")
_LOOKUP: dict[str, str] = {}
for _field, _aliases in ALIASES.items():
    for _alias in _aliases:
        _LOOKUP.setdefault(_key(_alias), _field)

# A district's project list (项目库), as staff keep it. Its own table: the same words mean other fields in a
# carrier file (层高 is the building's height there, the height a project needs here; 类别 is the carrier kind
# there, the project category here). Coordinates and skipped columns are shared.
PROJECT_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("项目编号", "编号", "项目代码", "项目编码", "项目id", "code", "id", "project code", "project id", "project no",
             "project number"),
    "code_name": ("项目代号", "代号", "代称", "项目代称", "code name", "codename", "project code name", "project alias"),
    "name": ("项目名称", "名称", "项目", "项目全称", "name", "project name", "project"),
    "investor": ("投资方", "投资主体", "投资企业", "投资商", "投资人", "投资方名称", "企业名称", "项目方", "外方投资者",
                 "investor", "investor name", "investing company", "company"),
    "investor_country": ("国别", "投资方国别", "国家", "国家/地区", "国家或地区", "国别地区", "来源国", "投资来源地", "外资来源地",
                         "country", "investor country", "country of origin", "origin country", "investor_country"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码", "unified social credit code",
                    "credit code", "uscc", "credit_code"),
    "category": ("项目类别", "类别", "项目类型", "项目分类", "产业类别", "行业类别", "类型", "category", "project category",
                 "project type", "type"),
    "sector": ("行业", "细分行业", "所属行业", "产业", "产业方向", "行业领域", "产业领域", "所属产业", "sector", "industry",
               "industry sector"),
    "investment_wan": ("投资额", "总投资", "投资总额", "计划投资", "计划总投资", "投资规模", "项目总投资", "总投资额", "拟投资额",
                       "投资金额", "计划投资额", "investment", "total investment", "investment amount", "investment_wan",
                       "planned investment", "capex"),
    "currency": ("币种", "货币", "币别", "投资币种", "币制", "currency"),
    "has_feasibility_study": ("有投资计划书或可研", "投资计划书/可研", "有可研", "可研报告", "可行性研究报告", "投资计划书", "商业计划书",
                              "has feasibility study", "feasibility study", "investment plan", "business plan",
                              "has_feasibility_study"),
    "decision_level_visit": ("决策层洽谈", "与决策层洽谈", "决策层接触", "高层拜访", "实质性洽谈", "decision-level visit",
                             "decision level visit", "decision-level talks", "decision_level_visit"),
    "is_technical_upgrade": ("技改项目", "是否技改", "技术改造", "技改", "技改升级", "技术改造项目", "technical upgrade",
                             "is technical upgrade", "upgrade", "is_technical_upgrade"),
    "actual_investment_wan": ("实际投资", "实际投资额", "实际完成投资", "实际到位投资", "已完成投资", "实际固定资产投资",
                              "actual investment", "actual investment formed", "actual_investment_wan"),
    "city_support_requested": ("申请市级财政支持", "申请市级财政优惠", "需市级财政优惠", "申请市级扶持", "市级财政支持", "市级扶持",
                               "city support requested", "asks for city support", "city fiscal support", "city_support_requested"),
    "city_support_wan": ("申请市级财政支持金额", "市级财政支持金额", "申请扶持金额", "市级扶持金额", "申请市级支持金额",
                         "city support amount", "city support asked", "city fiscal support amount", "city_support_wan"),
    "space_kind": ("所需载体类型", "载体需求", "所需载体", "需求载体类型", "载体类型", "需求类型", "space kind", "space needed",
                   "kind of space", "kind of space needed", "space type", "space_kind"),
    "land_needed_mu": ("用地需求", "拟用地", "需用地", "用地面积", "土地需求", "用地规模", "拟用地面积", "供地需求", "land needed",
                       "land need", "land required", "land_needed_mu"),
    "floor_area_needed_m2": ("面积需求", "厂房面积需求", "建筑面积需求", "需求面积", "所需面积", "厂房需求", "租赁面积",
                             "floor area needed", "area needed", "space required", "area required", "floor_area_needed_m2"),
    "clear_height_needed_m": ("层高", "层高需求", "层高要求", "净高", "净高要求", "净高需求", "clear height", "clear height needed",
                              "height required", "clear_height_needed_m"),
    "floor_load_needed_kn_m2": ("荷载", "荷载需求", "荷载要求", "承重", "承重需求", "承重要求", "楼面荷载", "地面承重",
                                "floor load", "floor load needed", "load required", "floor_load_needed_kn_m2"),
    "crane_needed_t": ("行车", "行车需求", "行车要求", "吊车需求", "行车吨位", "crane", "crane needed", "crane_needed_t"),
    "power_needed_kva": ("用电需求", "用电", "用电容量", "电力需求", "用电负荷", "用电量需求", "电力", "power", "power needed",
                         "power demand", "electricity", "power_needed_kva"),
    "tech_needs": ("技术需求", "其他需求", "特殊需求", "配套需求", "需求说明", "其他要求", "technical needs", "tech needs",
                   "other needs", "requirements", "tech_needs"),
    "stage": ("阶段", "项目进展", "推进阶段", "项目阶段", "进展", "进度", "项目进度", "当前阶段", "项目状态", "状态",
              "stage", "status", "progress", "project stage"),
    "district": ("所属区镇", "承接地", "承接区镇", "区镇", "落户区镇", "拟落户区镇", "所在区镇", "落地区镇", "镇区", "板块",
                 "所属板块", "district", "host district", "town", "district/town"),
    "origin_district": ("首谈地", "首谈区镇", "首谈单位", "首谈", "首谈板块", "origin district", "first contact district",
                        "origin", "origin_district"),
    "reported_by": ("首报人", "首报单位", "信息首报人", "信息首报单位", "首报", "报送人", "first reported by", "reported by",
                    "reporter", "reported_by"),
    "reported_on": ("首报日期", "首报时间", "信息首报日期", "报送日期", "first reported on", "reported on", "report date",
                    "reported_on"),
    "carrier_code": ("对接载体", "落户载体", "意向载体", "载体编号", "载体", "对接载体编号", "carrier", "carrier code",
                     "settled in", "carrier_code"),
    "grade": ("评级", "项目评级", "等级", "项目等级", "级别", "grade", "rating", "project grade"),
    "is_confidential": ("保密", "是否保密", "涉密", "confidential", "is_confidential"),
    "wanted_by": ("期望落地时间", "期望落地", "预计落地时间", "计划落地时间", "期望落地日期", "拟落地时间", "wanted by",
                  "expected landing", "target date", "wanted_by"),
}
for _spec in PROJECT_FIELDS:
    if _spec.name != "geometry":
        PROJECT_ALIASES[_spec.name] = PROJECT_ALIASES.get(_spec.name, ()) + tuple(
            i18n.t(f"field.{_spec.name}", lang) for lang in i18n.LANGUAGES)
for _special in ("lon", "lat", "x", "y", "wkt", "ignore"):
    PROJECT_ALIASES[_special] = ALIASES[_special]

_PROJECT_LOOKUP: dict[str, str] = {}
for _field, _aliases in PROJECT_ALIASES.items():
    for _alias in _aliases:
        _PROJECT_LOOKUP.setdefault(_key(_alias), _field)

ENTITIES = ("carrier", "project")
_LOOKUPS = {"carrier": _LOOKUP, "project": _PROJECT_LOOKUP}
_ENTITY_FIELD_NAMES = {"carrier": _FIELD_NAMES, "project": frozenset(s.name for s in PROJECT_FIELDS if s.name != "geometry")}
AMOUNT_FIELDS = ("investment_wan",)  # their header unit is an amount's (亿元, 万美元 …): values.amount_unit

# unit suffixes written without brackets ("面积m2", "租金元/m2/天"), longest first
_SUFFIX = re.compile(
    r"(万元/亩|元/亩|万/亩|元/(?:m2|平方米|平米|平)[/·.・]?(?:月|天|日)|元/(?:月|天|日)[/·.・]?(?:m2|平方米|平米|平)"
    r"|万m2|万平方米|万平米|平方米|平米|m2|公顷|亩|kn/m2|kva|千伏安|吨|米|%)$"
)


def _header_units(raw: str) -> list[str]:
    """Unit codes written in a header: in brackets first, then a trailing unit."""
    t = _nfkc(raw).replace("㎡", "m2").replace("²", "2")
    units = [code for code in (unit_code(inner) for inner in _BRACKETS.findall(t)) if code]
    bare = _DROP.sub("", _BRACKETS.sub("", t))
    m = _SUFFIX.search(bare)
    if m and m.start() > 0:
        code = unit_code(m.group(1))
        if code:
            units.append(code)
    return units


def _lookup(key: str, lookup: Mapping[str, str] = _LOOKUP) -> str | None:
    """A field for a normalised header: exact, without a trailing unit, or from one part of a bilingual header."""
    if not key:
        return None
    hit = lookup.get(key)
    if hit:
        return hit
    m = _SUFFIX.search(key)
    if m and m.start() > 0:
        hit = lookup.get(key[: m.start()])
        if hit:
            return hit
    # bilingual: "编号code", "code编号", "面积area"
    parts = []
    m = re.match(r"^([^a-z]*[\u3400-\u9fff][^a-z]*)([a-z].*)$", key) or re.match(r"^([a-z][^\u3400-\u9fff]*?)([\u3400-\u9fff].*)$", key)
    if m and _CJK.search(key):
        parts = [m.group(1), m.group(2)]
    found = set()
    for part in parts:
        part = part.strip(".-/")
        hit = lookup.get(part)
        if not hit:
            sm = _SUFFIX.search(part)
            hit = lookup.get(part[: sm.start()]) if sm and sm.start() > 0 else None
        if hit:
            found.add(hit)
    return found.pop() if len(found) == 1 else None  # two parts naming different fields: not a guess we make


def match_header(column: Any, remembered: Mapping[str, str] | None = None, entity: str = "carrier") -> ColumnTarget | None:
    """The target of one header cell in a file of `entity` records ("carrier", "project"), or None when
    it is not recognised."""
    if len(str(column)) > HEADER_MAX_CHARS:
        return None  # no header is that long (a data cell of 100k characters would take the patterns minutes)
    key = normalize_header(column)
    if not key:
        return None
    units = _header_units(str(column))
    unit = units[0] if units else None
    if remembered:
        chosen = remembered.get(key)
        if chosen is None:
            chosen = {normalize_header(k): v for k, v in remembered.items()}.get(key)
        if chosen:
            return ColumnTarget(chosen, amount_unit(str(column)) if chosen in AMOUNT_FIELDS else unit)
    if str(column).strip() in _ENTITY_FIELD_NAMES[entity]:  # the model's own name ("floor_load_kn_m2", as the
        return ColumnTarget(str(column).strip(), None)  # GeoJSON export writes it): in the model's unit, whatever "m2" it ends in
    hit = _lookup(key, _LOOKUPS[entity])
    if hit in AMOUNT_FIELDS:
        unit = amount_unit(str(column))
    return ColumnTarget(hit, unit) if hit else None


def match_headers(columns: list[Any], remembered: Mapping[str, str] | None = None, entity: str = "carrier") -> HeaderMatch:
    """Targets for the columns of a table of `entity` records; `remembered` (normalised header -> field or
    "ignore") takes priority.

    Several columns claiming one field: the first is the target, all are listed in `clashes` (the later
    ones are neither targets nor unknown). Empty header cells are skipped.
    """
    remembered = {normalize_header(k): v for k, v in (remembered or {}).items()}
    match = HeaderMatch()
    claimed: dict[str, list[str]] = {}
    for column in columns:
        if column is None or not str(column).strip():
            continue
        target = match_header(column, remembered, entity)
        if target is None:
            match.unknown.append(column)
            continue
        if target.field != "ignore":
            claimed.setdefault(target.field, []).append(column)
            if len(claimed[target.field]) > 1:
                continue
        match.targets[column] = target
    match.clashes = {name: cols for name, cols in claimed.items() if len(cols) > 1}
    return match


def header_score(cells: list, entity: str = "carrier") -> float:
    """How header-like a row is: the number of distinct fields its text cells name (title rows score 0)."""
    fields = set()
    for cell in cells:
        if isinstance(cell, str) and cell.strip():
            target = match_header(cell, entity=entity)
            if target is not None:
                fields.add(target.field)
    return float(len(fields))


def project_header_score(cells: list) -> float:
    """header_score for a file of projects."""
    return header_score(cells, "project")
