"""The Excel template per carrier kind, and per project category: bilingual headers the importer
recognises, an example row, instructions.

`template_workbook(category, lang, entity="project")` is the same workbook for a district's project list:
a sheet "项目 Projects" with the project fields that apply to the category (a manufacturing project's needs
of land, height, load, crane and power; an R&D centre's floor area and power …), 经度/纬度 (optional: a
project is a point), the example row of that category, and the same instructions sheet.

`template_workbook(kind, lang)` -> .xlsx bytes with two sheets:
- "载体 Carriers": the header row (Chinese and English in each cell, required columns marked "*") for
  exactly the fields that apply to the kind, plus 经度/纬度 (lon/lat) and 范围（WKT）; one example row
  with realistic Taicang values that the importer accepts as written (districts by their Chinese name,
  which values.parse_column(..., districts=...) and the pipeline's district lookup turn into codes); frozen header, column widths,
  drop-down lists for the vocabularies.
- "说明 Instructions": what each column means, its unit and accepted values (in `lang` first, then the
  other language), how coordinates work, the district codes.
The header row round-trips: headers.match_headers maps every column, none unknown.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from heatmap import config, i18n
from heatmap.ingest.values import FIELD_QUANTITY, FIELD_VOCABULARY
from heatmap.model import CARRIER_FIELDS, PROJECT_FIELDS, PROJECT_FIELDS_NOT_UPLOADED, CarrierKind, Category, FieldSpec, FieldType

SHEET_CARRIERS = "载体 Carriers"
SHEET_PROJECTS = "项目 Projects"
SHEET_INSTRUCTIONS = "说明 Instructions"
REQUIRED_MARK = "*"
SPECIAL_COLUMNS = ("lon", "lat", "wkt")
_SPECIAL_HEADER = {"lon": "ingest.template_header_lon", "lat": "ingest.template_header_lat", "wkt": "ingest.template_header_wkt"}
_SPECIAL_HELP = {"lon": "ingest.template_help_lon", "lat": "ingest.template_help_lat", "wkt": "ingest.template_help_wkt"}

# per quantity: the unit a bare number is in, and other ways of writing it (symbols, both languages)
_UNIT_HELP = {
    "area": ("㎡ (m²)", "1,200、1200㎡、3.5万㎡、12亩 (mu)、0.8公顷 (ha)"),
    "rent": ("元/㎡/月 (CNY/m²/month)", "25、25元/㎡/月、1.2元/㎡/天 (CNY/m²/day)"),
    "land_price": ("万元/亩 (CNY 10k/mu)", "48、48万元/亩、480000元/亩 (CNY/mu)"),
    "length": ("米 (m)", "9、9米、9m"),
    "load": ("kN/㎡ (kN/m²)", "30、30kN/㎡、3吨/㎡ (t/m², ×9.8)"),
    "weight": ("吨 (t)", "10、10吨、10t"),
    "power": ("kVA (千伏安)", "1000、1000kVA、1MVA"),
    "land_mu": ("亩 (mu)", "50、50亩、3.3万㎡、2公顷 (ha)"),
}
_AMOUNT_EXAMPLES = "5亿元、3000万元、3,000万美元、USD 30 million、2000万欧元"

_FIXED_DATE = dt.date(2025, 6, 30)  # the example rows' verification date (must not be in the future)

EXAMPLES: dict[str, dict[str, Any]] = {
    "land": {
        "code": "CX-TD-2025-001", "name": "城厢镇东仓北路工业地块", "name_en": "Chengxiang, Dongcang North Road plot",
        "district": "城厢镇", "address": "太仓市城厢镇东仓北路", "area_m2": 20000, "leasable_m2": 20000,
        "vacant_m2": 20000, "status": "可租售", "land_price_wan_mu": 48, "land_use_code": "M1", "plot_ratio": 1.5,
        "industries": "精密机械、汽车零部件", "is_public": "是", "contact": "城厢镇招商办", "verified_on": _FIXED_DATE,
        "source": "区镇填报", "lon": None, "lat": None,
        "wkt": "POLYGON((121.1170 31.4540, 121.1186 31.4540, 121.1186 31.4552, 121.1170 31.4552, 121.1170 31.4540))",
    },
    "plant": {
        "code": "GX-CF-2025-001", "name": "高新区标准厂房 3 号楼", "name_en": "High-tech Zone standard plant, building 3",
        "district": "太仓高新区", "address": "太仓市高新区北京西路 6 号", "area_m2": 8000, "leasable_m2": 8000,
        "vacant_m2": 3000, "status": "部分可用", "rent_cny_m2_month": 25, "floors": 1, "clear_height_m": 9,
        "floor_load_kn_m2": 30, "crane_t": 10, "power_kva": 1000, "industries": "精密机械、汽车零部件",
        "is_public": "是", "contact": "高新区招商局", "verified_on": _FIXED_DATE, "source": "区镇填报",
        "lon": 121.1420, "lat": 31.4628, "wkt": None,
    },
    "office": {
        "code": "KJ-LY-2025-001", "name": "科教新城商务中心 A 座", "name_en": "Science and Education New Town Business Centre, Tower A",
        "district": "科教新城", "address": "太仓市科教新城健雄路 20 号", "area_m2": 12000, "leasable_m2": 9000,
        "vacant_m2": 2500, "status": "可租售", "rent_cny_m2_month": 45, "floors": 18, "office_grade": "甲级",
        "property_fee_cny_m2_month": 6, "industries": "总部经济、研发服务", "is_public": "是",
        "contact": "科教新城招商局", "verified_on": _FIXED_DATE, "source": "区镇填报",
        "lon": 121.1222, "lat": 31.4367, "wkt": None,
    },
    "other": {
        "code": "GQ-CK-2025-001", "name": "港区物流仓库 2 号库", "name_en": "Port Zone logistics warehouse 2",
        "district": "太仓港经济技术开发区", "address": "太仓市港区滨江大道 88 号", "area_m2": 15000, "leasable_m2": 15000,
        "vacant_m2": 15000, "status": "可租售", "rent_cny_m2_month": 22, "floors": 1, "clear_height_m": 12,
        "floor_load_kn_m2": 50, "power_kva": 630, "industries": "港口物流", "is_public": "是",
        "contact": "港区招商局", "verified_on": _FIXED_DATE, "source": "区镇填报",
        "lon": 121.2081, "lat": 31.6027, "wkt": None,
    },
}


# What a project of each category needs besides the fields every project has (seed 二(二): each category
# has its own standards): manufacturing land or a plant with height, load, crane and power; trade and
# logistics a warehouse without a crane; R&D floor area and power; others space alone.
PROJECT_NEEDS: dict[str, tuple[str, ...]] = {
    "manufacturing": ("land_needed_mu", "floor_area_needed_m2", "clear_height_needed_m", "floor_load_needed_kn_m2",
                      "crane_needed_t", "power_needed_kva"),
    "trade_logistics": ("land_needed_mu", "floor_area_needed_m2", "clear_height_needed_m", "floor_load_needed_kn_m2",
                        "power_needed_kva"),
    "rnd": ("land_needed_mu", "floor_area_needed_m2", "power_needed_kva"),
    "other": ("land_needed_mu", "floor_area_needed_m2"),
}
_NEED_FIELDS = frozenset(name for needs in PROJECT_NEEDS.values() for name in needs)

# The example rows (fictitious investors; credit codes with a correct check character), as staff write them.
PROJECT_EXAMPLES: dict[str, dict[str, Any]] = {
    "manufacturing": {
        "code": "GX-XM-2025-001", "code_name": "高新-精机-01", "name": "德资精密传动部件生产基地项目",
        "investor": "Beispiel Antriebstechnik GmbH", "investor_country": "德国", "credit_code": "91320585MA1TC0001A",
        "category": "制造业", "sector": "精密机械", "investment_wan": 3000, "currency": "欧元", "space_kind": "产业用地",
        "land_needed_mu": 60, "floor_area_needed_m2": 20000, "clear_height_needed_m": 12, "floor_load_needed_kn_m2": 30,
        "crane_needed_t": 10, "power_needed_kva": 2500, "tech_needs": "双回路供电；环评等级：报告表", "stage": "在谈",
        "district": "太仓高新区", "origin_district": "沙溪镇", "reported_by": "沙溪镇招商办", "reported_on": _FIXED_DATE,
        "carrier_code": None, "is_confidential": "是", "wanted_by": dt.date(2026, 12, 31),
        "has_feasibility_study": "否", "decision_level_visit": "是", "is_technical_upgrade": "否",
        "city_support_requested": "是", "city_support_wan": 800,
        "lon": 121.1420, "lat": 31.4628,
    },
    "trade_logistics": {
        "code": "GQ-XM-2025-001", "code_name": "港区-冷链-01", "name": "港区冷链物流分拨中心项目",
        "investor": "示例国际冷链物流有限公司", "investor_country": "中国", "credit_code": "91310000MA1FL00030",
        "category": "物贸", "sector": "港口物流", "investment_wan": 50000, "currency": "人民币", "space_kind": "其他",
        "land_needed_mu": 80, "floor_area_needed_m2": 40000, "clear_height_needed_m": 12, "floor_load_needed_kn_m2": 50,
        "power_needed_kva": 1250, "tech_needs": "冷库：-25℃；进出口监管仓", "stage": "签约",
        "district": "太仓港经济技术开发区", "origin_district": "太仓港经济技术开发区", "reported_by": "港区招商局",
        "reported_on": _FIXED_DATE, "carrier_code": None, "is_confidential": "是",
        "has_feasibility_study": "是", "decision_level_visit": "是",
        "wanted_by": dt.date(2026, 6, 30), "lon": 121.2081, "lat": 31.6027,
    },
    "rnd": {
        "code": "KJ-XM-2025-001", "code_name": "科教-电子-01", "name": "汽车电子研发中心项目",
        "investor": "Example Automotive Electronics Inc.", "investor_country": "美国", "credit_code": None,
        "category": "研发", "sector": "电子信息", "investment_wan": 1500, "currency": "美元", "space_kind": "商务楼宇",
        "land_needed_mu": None, "floor_area_needed_m2": 3000, "power_needed_kva": 400, "tech_needs": "EMC 实验室",
        "stage": "首次接触", "district": "科教新城", "origin_district": "科教新城", "reported_by": "科教新城招商局",
        "reported_on": _FIXED_DATE, "carrier_code": None, "is_confidential": "是",
        "has_feasibility_study": None, "decision_level_visit": "否", "is_technical_upgrade": "否",
        "wanted_by": dt.date(2026, 9, 30), "lon": None, "lat": None,
    },
    "other": {
        "code": "CX-XM-2025-001", "code_name": "城厢-总部-01", "name": "区域总部项目", "investor": "示例控股集团有限公司",
        "investor_country": "中国", "credit_code": "91320585MA1TC0004K", "category": "其他", "sector": "总部经济",
        "investment_wan": 2000, "currency": "人民币", "space_kind": "商务楼宇", "land_needed_mu": None,
        "floor_area_needed_m2": 1500, "tech_needs": None, "stage": "注册", "district": "城厢镇", "origin_district": "城厢镇",
        "reported_by": "城厢镇招商办", "reported_on": _FIXED_DATE, "carrier_code": None,
        "has_feasibility_study": "是", "decision_level_visit": "是",
        "is_confidential": "是", "wanted_by": dt.date(2026, 3, 31), "lon": 121.1180, "lat": 31.4547,
    },
}
ENTITIES = ("carrier", "project")


def _entity_fields(entity: str) -> tuple[FieldSpec, ...]:
    return PROJECT_FIELDS if entity == "project" else CARRIER_FIELDS


# Sheets that explain how to fill the file in, never data: the template's own and the names staff give them
INSTRUCTION_SHEET_NAMES = frozenset(n.casefold() for n in (
    SHEET_INSTRUCTIONS, "说明", "填表说明", "填报说明", "使用说明", "instructions", "readme",
))


def is_instructions_sheet(sheet: str | None) -> bool:
    """True for the template's instructions sheet (and sheets named like one): the importer skips it."""
    return sheet is not None and " ".join(sheet.split()).casefold() in INSTRUCTION_SHEET_NAMES


def template_fields(kind: str, entity: str = "carrier") -> list[FieldSpec]:
    """The fields a template for `kind` (a carrier kind; for projects, a category) has columns for
    (geometry comes as lon/lat, and WKT for carriers)."""
    if entity == "project":
        needs = PROJECT_NEEDS[Category(kind).value]
        return [s for s in PROJECT_FIELDS if s.type is not FieldType.GEOMETRY and s.name not in PROJECT_FIELDS_NOT_UPLOADED
                and (s.name not in _NEED_FIELDS or s.name in needs)]
    kind = CarrierKind(kind)
    return [s for s in CARRIER_FIELDS if kind in s.kinds and s.type is not FieldType.GEOMETRY]


def _bilingual(zh: str, en: str) -> str:
    return f"{zh} {en}"


def column_header(name: str, required: bool = False) -> str:
    """The template's header cell for a field or special column: "*面积（㎡） Area (m²)"."""
    key = _SPECIAL_HEADER.get(name) or f"field.{name}"
    return (REQUIRED_MARK if required else "") + _bilingual(i18n.t(key, "zh"), i18n.t(key, "en"))


def template_columns(kind: str, entity: str = "carrier") -> list[tuple[str, str, bool]]:
    """(column name, header, required) in template order."""
    cols = [(s.name, column_header(s.name, s.required), s.required) for s in template_fields(kind, entity)]
    specials = ("lon", "lat") if entity == "project" else SPECIAL_COLUMNS  # a project is a point
    return cols + [(name, column_header(name), False) for name in specials]


def district_records() -> list[dict]:
    """The districts of data/districts.csv (code, name_zh, name_en, aliases …), as the template lists them."""
    return _districts()


def _districts() -> list[dict]:
    with open(config.REPO_ROOT / "data" / "districts.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _choices(spec: FieldSpec, lang: str) -> str:
    vocabulary = FIELD_VOCABULARY.get(spec.name, spec.name)
    separator = "、" if lang == "zh" else ", "
    return separator.join(i18n.label(vocabulary, c, lang) for c in spec.choices or ())


def column_help(name: str, lang: str, entity: str = "carrier") -> str:
    """What a column means and accepts, in one language."""
    if name in SPECIAL_COLUMNS:
        return i18n.t(_SPECIAL_HELP[name], lang)
    spec = next(s for s in _entity_fields(entity) if s.name == name)
    meaning = i18n.t(f"field.{name}", lang)
    if entity == "project":
        special = {"investment_wan": "ingest.template_help_amount", "investor_country": "ingest.template_help_country",
                   "credit_code": "ingest.template_help_credit_code", "is_confidential": "ingest.template_help_confidential",
                   "has_feasibility_study": "ingest.template_help_lead_fact", "decision_level_visit": "ingest.template_help_lead_fact",
                   "is_technical_upgrade": "ingest.template_help_lead_fact",
                   "actual_investment_wan": "ingest.template_help_actual_investment"}
        if name in special:
            return i18n.t(special[name], lang, meaning=meaning, examples=_AMOUNT_EXAMPLES)
    if spec.district:
        listing = ", ".join(f"{d['code']} = {d['name_zh'] if lang == 'zh' else d['name_en']}" for d in _districts())
        return i18n.t("ingest.template_districts", lang, districts=listing)
    t = spec.type
    if name == "code":
        return i18n.t("ingest.template_help_code", lang, meaning=meaning)
    if t is FieldType.NUMBER:
        quantity = FIELD_QUANTITY.get(name, "plain")
        if quantity in _UNIT_HELP:
            unit, examples = _UNIT_HELP[quantity]
            if name in ("rent_cny_m2_month", "land_price_wan_mu"):
                return i18n.t("ingest.template_help_price", lang, meaning=meaning, unit=unit, examples=examples)
            return i18n.t("ingest.template_help_number", lang, meaning=meaning, unit=unit, examples=examples)
        return i18n.t("ingest.template_help_plain", lang, meaning=meaning)
    if t is FieldType.INTEGER:
        return i18n.t("ingest.template_help_integer", lang, meaning=meaning)
    if t is FieldType.DATE:
        return i18n.t("ingest.template_help_date", lang, meaning=meaning)
    if name == "price_negotiable":
        return i18n.t("ingest.template_help_negotiable", lang, meaning=meaning)
    if t is FieldType.BOOL:
        return i18n.t("ingest.template_help_bool", lang, meaning=meaning)
    if t is FieldType.CHOICE:
        return i18n.t("ingest.template_help_choice", lang, meaning=meaning, choices=_choices(spec, lang))
    if t is FieldType.LIST:
        return i18n.t("ingest.template_help_list", lang, meaning=meaning, choices=_choices(spec, lang))
    return i18n.t("ingest.template_help_text", lang, meaning=meaning)


def example_row(kind: str, entity: str = "carrier") -> dict[str, Any]:
    """The example row's cells by column name, as written in the template."""
    if entity == "project":
        return dict(PROJECT_EXAMPLES[Category(kind).value])
    row = dict(EXAMPLES[CarrierKind(kind).value])
    row["kind"] = i18n.t(f"kind.{CarrierKind(kind).value}", "zh")
    return row


def template_workbook(kind: str, lang: str, entity: str = "carrier") -> bytes:
    """The .xlsx template for one carrier kind (or, with entity="project", one project category),
    instructions in `lang` first and the other language after."""
    kind = Category(kind).value if entity == "project" else CarrierKind(kind).value
    lang = i18n.normalize_language(lang)
    other = "en" if lang == "zh" else "zh"
    columns = template_columns(kind, entity)
    example = example_row(kind, entity)
    project = entity == "project"
    intro, second = (("ingest.template_intro_project", "ingest.template_amounts_project") if project
                     else ("ingest.template_intro", "ingest.template_coordinates"))

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_PROJECTS if project else SHEET_CARRIERS
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, (name, header, required) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=header)
        cell.font = bold
        cell.fill = required_fill if required else optional_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        value = example.get(name)
        out = ws.cell(row=2, column=j, value=value)
        if isinstance(value, dt.date):
            out.number_format = "yyyy-mm-dd"
        width = max(len(header) + sum(1 for ch in header if ord(ch) > 0x2E80), 12)
        ws.column_dimensions[get_column_letter(j)].width = min(width + 2, 60 if name == "wkt" else 40)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"

    specs = {s.name: s for s in _entity_fields(entity)}
    for j, (name, _header, _required) in enumerate(columns, start=1):
        spec = specs.get(name)
        if spec is None or spec.type not in (FieldType.CHOICE, FieldType.BOOL):
            continue
        if spec.type is FieldType.BOOL:
            options = [i18n.t("common.yes", "zh"), i18n.t("common.no", "zh")]
        else:
            options = [i18n.label(FIELD_VOCABULARY.get(name, name), c, "zh") for c in spec.choices or ()]
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.showErrorMessage = False  # other spellings are accepted by the importer too
        ws.add_data_validation(validation)
        letter = get_column_letter(j)
        validation.add(f"{letter}2:{letter}5000")

    info = wb.create_sheet(SHEET_INSTRUCTIONS)
    rows: list[list[Any]] = [
        [i18n.t(intro, lang)],
        [i18n.t(intro, other)],
        [i18n.t(second, lang)],
        [i18n.t(second, other)],
        [],
        [
            _bilingual(i18n.t("ingest.template_col_column", lang), i18n.t("ingest.template_col_column", other)),
            _bilingual(i18n.t("ingest.template_col_required", lang), i18n.t("ingest.template_col_required", other)),
            i18n.t("ingest.template_col_help", lang),
            i18n.t("ingest.template_col_help_other", lang),
        ],
    ]
    header_row = len(rows)
    for name, header, required in columns:
        flag = "ingest.template_required_yes" if required else "ingest.template_required_no"
        rows.append([header, i18n.t(flag, lang), column_help(name, lang, entity), column_help(name, other, entity)])
    for row in rows:
        info.append(row)
    for cell in info[header_row]:
        cell.font = bold
    for row in info.iter_rows(min_row=1, max_row=info.max_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (34, 10, 70, 70)):
        info.column_dimensions[letter].width = width
    for r in range(1, 5):
        info.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        info.row_dimensions[r].height = 60

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
