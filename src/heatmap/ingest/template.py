"""The Excel template per carrier kind: bilingual headers the importer recognises, an example row, instructions.

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
from heatmap.model import CARRIER_FIELDS, CarrierKind, FieldSpec, FieldType

SHEET_CARRIERS = "载体 Carriers"
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
}

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


# Sheets that explain how to fill the file in, never data: the template's own and the names staff give them
INSTRUCTION_SHEET_NAMES = frozenset(n.casefold() for n in (
    SHEET_INSTRUCTIONS, "说明", "填表说明", "填报说明", "使用说明", "instructions", "readme",
))


def is_instructions_sheet(sheet: str | None) -> bool:
    """True for the template's instructions sheet (and sheets named like one): the importer skips it."""
    return sheet is not None and " ".join(sheet.split()).casefold() in INSTRUCTION_SHEET_NAMES


def template_fields(kind: str) -> list[FieldSpec]:
    """The fields a template for `kind` has columns for (geometry comes as lon/lat/WKT)."""
    kind = CarrierKind(kind)
    return [s for s in CARRIER_FIELDS if kind in s.kinds and s.type is not FieldType.GEOMETRY]


def _bilingual(zh: str, en: str) -> str:
    return f"{zh} {en}"


def column_header(name: str, required: bool = False) -> str:
    """The template's header cell for a field or special column: "*面积（㎡） Area (m²)"."""
    key = _SPECIAL_HEADER.get(name) or f"field.{name}"
    return (REQUIRED_MARK if required else "") + _bilingual(i18n.t(key, "zh"), i18n.t(key, "en"))


def template_columns(kind: str) -> list[tuple[str, str, bool]]:
    """(column name, header, required) in template order."""
    cols = [(s.name, column_header(s.name, s.required), s.required) for s in template_fields(kind)]
    return cols + [(name, column_header(name), False) for name in SPECIAL_COLUMNS]


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


def column_help(name: str, lang: str) -> str:
    """What a column means and accepts, in one language."""
    if name in SPECIAL_COLUMNS:
        return i18n.t(_SPECIAL_HELP[name], lang)
    spec = next(s for s in CARRIER_FIELDS if s.name == name)
    meaning = i18n.t(f"field.{name}", lang)
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


def example_row(kind: str) -> dict[str, Any]:
    """The example row's cells by column name, as written in the template."""
    row = dict(EXAMPLES[CarrierKind(kind).value])
    row["kind"] = i18n.t(f"kind.{CarrierKind(kind).value}", "zh")
    return row


def template_workbook(kind: str, lang: str) -> bytes:
    """The .xlsx template for one carrier kind, instructions in `lang` first and the other language after."""
    kind = CarrierKind(kind).value
    lang = i18n.normalize_language(lang)
    other = "en" if lang == "zh" else "zh"
    columns = template_columns(kind)
    example = example_row(kind)

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_CARRIERS
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

    specs = {s.name: s for s in CARRIER_FIELDS}
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
        [i18n.t("ingest.template_intro", lang)],
        [i18n.t("ingest.template_intro", other)],
        [i18n.t("ingest.template_coordinates", lang)],
        [i18n.t("ingest.template_coordinates", other)],
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
        rows.append([header, i18n.t(flag, lang), column_help(name, lang), column_help(name, other)])
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
