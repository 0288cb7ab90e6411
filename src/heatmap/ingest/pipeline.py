"""One upload, start to end: bytes -> located problems and records -> preview -> one new version.

`read_upload` never writes; `preview` compares with what is stored; `commit` writes all or nothing
through Store.save (which validates again inside its transaction). The web page and the command line
(`python -m heatmap import`) both run exactly this.

Carriers and projects go through the same path (`entity="carrier"` or `"project"`): what differs between
them (their fields and headers, their rules, which fields every record carries, what is derived after
reading) is looked up in ENTITIES, one small description per entity.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import string
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import shapely

from heatmap import i18n
from heatmap.bulk import fewer_collections
from heatmap.export import formula_safe
from heatmap.ingest import crs as crs_mod
from heatmap.ingest import files, headers, template, values
from heatmap.ingest.problems import FileRejected, ProblemList, UploadProblem
from heatmap.model import (
    CARRIER_FIELD, MAX_VERTICES, PROJECT_FIELD, PROJECT_FIELDS_NOT_UPLOADED, CarrierKind, CarrierStatus, FieldSpec, Problem,
    ValidationError, carrier_defaults, is_missing, price_field, project_defaults, validate_carriers, validate_projects,
)
from heatmap.store import Conflict, Diff, Store, conflict

STALE_WARNING_DAYS = 365  # a record not verified for a year is flagged (a warning: it does not block)
COORDINATE_TARGETS = ("lon", "lat", "x", "y", "wkt")
RATE_TARGETS = ("vacancy_rate", "occupancy_rate")
PRICE_FIELDS = ("rent_cny_m2_month", "land_price_wan_mu", "property_fee_cny_m2_month")  # where 面议 may stand
NEGOTIABLE = "price_negotiable"
AMOUNT = "investment_wan"  # an amount cell may name its currency (3,000万美元): see _apply_amounts
SHOWN_VALUE_CHARS = 60


@dataclass(frozen=True)
class EntityRules:
    """What the upload path needs to know of one entity; everything else is shared."""

    name: str  # the store's entity
    fields: Mapping[str, FieldSpec]
    anchors: frozenset[str]  # a sheet without geometry holds records only if it has one of these columns
    always_given: tuple[str, ...]  # fields every record has (from the file or the upload's choices)
    validate_many: Callable[..., list[list[Problem]]]
    defaults: Callable[[Mapping[str, Any]], dict[str, Any]]
    has_kind: bool  # carriers come one kind per upload; projects have no kind
    derive: Callable[["Upload"], None]  # what follows from the file's values, once merged with the stored ones
    header_score: Callable[[list], float]  # how header-like a row is, to find the header row
    own_words: str = ""  # the suffix of the messages that name the entity ("_project": 项目, not 载体)
    # Fields a file never sets, though its columns are recognised: the stored value stays (a new record has
    # none) and the report says the column was ignored. A project's grade is proposed and confirmed on the
    # grading page only (项目评价): a district's list must not overwrite the office's confirmed grade.
    not_from_files: frozenset[str] = frozenset()


def _no_derivation(upload: "Upload") -> None:
    """Nothing is derived: every value of the record is in the file or stored."""


@dataclass
class Origin:
    """Where a record came from in the file."""

    sheet: str | None
    row: int
    columns: Mapping[str, str]  # field -> the file's column it was read from


@dataclass
class Upload:
    """What one file holds, read and checked against the store, ready to preview and commit."""

    file: str
    data: bytes
    kind: str | None  # carriers: the kind the file holds; projects: None
    district: str | None  # the uploader's district (staff); None: any district (administrators)
    entity: str = "carrier"
    records: list[dict[str, Any]] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    problems: ProblemList = field(default_factory=ProblemList)  # bounded per severity; `counts` has them all
    unknown_columns: list[str] = field(default_factory=list)  # headers as written, not yet mapped
    # The stored records the file's were completed from (merged_records): code -> the version that last wrote
    # it (None: new). A commit is refused if any of them moved on since: see `commit`.
    base: dict[str, int | None] = field(default_factory=dict)
    column_targets: dict[str, str] = field(default_factory=dict)  # header -> field, for the report
    crs: crs_mod.CrsDecision | None = None

    @property
    def file_hash(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def errors(self) -> list[UploadProblem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[UploadProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def notes(self) -> list[UploadProblem]:
        """What the importer assumed or did (encoding, coordinate system): said, never counted as a problem."""
        return [p for p in self.problems if p.severity == "info"]

    @property
    def error_count(self) -> int:
        """Every error found, including those beyond the ones listed (ProblemList keeps the first 1,000)."""
        counts = getattr(self.problems, "counts", None)
        return counts["error"] if counts is not None else len(self.errors)

    @property
    def warning_count(self) -> int:
        counts = getattr(self.problems, "counts", None)
        return counts["warning"] if counts is not None else len(self.warnings)

    @property
    def can_commit(self) -> bool:
        return bool(self.records) and not self.errors

    @property
    def rules(self) -> EntityRules:
        return ENTITIES[self.entity]


def problem_message(problem: UploadProblem, lang: str) -> str:
    """The problem's sentence in the language (upload messages first, then the model's own); a `field`
    parameter is shown as the field's name in that language. A key both catalogs know ("too_large": a
    file too large, a value above its maximum) takes the sentence its params fill."""
    params = shown_params(problem.params, lang)
    if isinstance(params.get("field"), str):
        params["field"] = _field_label(params["field"], lang)
    for prefix in ("ingest.", "problem."):
        key = prefix + problem.key
        if i18n.has(key) and _placeholders(key) <= set(params):
            return i18n.t(key, lang, **params)
    return problem.key


CURRENCY_PARAMS = ("currency", "header_currency", "column_currency", "currencies")  # codes a message names


def shown_params(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A problem's params as a person reads them: currency codes by their names (美元, not USD)."""
    out = dict(params)
    for name in CURRENCY_PARAMS:
        if isinstance(out.get(name), str) and out[name]:
            separator = "、" if lang == "zh" else ", "
            out[name] = separator.join(i18n.label("currency", code, lang) for code in out[name].split("、"))
    return out


def _placeholders(key: str) -> set[str]:
    return {name for lang in i18n.LANGUAGES for _, name, _, _ in string.Formatter().parse(i18n.t(key, lang)) if name}


def _field_label(field_name: str, lang: str) -> str:
    key = f"field.{field_name}"
    return i18n.t(key, lang) if i18n.has(key) else field_name


def report_frame(problems: Sequence[UploadProblem], lang: str) -> pd.DataFrame:
    """The validation report as a table (shown on the page and downloadable)."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    order = {"error": 0, "warning": 1, "info": 2}
    problems = sorted(problems, key=lambda p: (order.get(p.severity, 3), p.file, p.sheet or "", p.row or 0))
    rows = [
        {
            t("upload.col.severity"): t(f"upload.severity.{p.severity}"),
            t("upload.col.file"): p.file,
            t("upload.col.sheet"): p.sheet or "",
            t("upload.col.row"): p.row,
            t("upload.col.column"): p.column or (_field_label(p.field, lang) if p.field else ""),
            t("upload.col.value"): formula_safe(p.value or ""),  # the offending cell, maybe a formula, echoed
            t("upload.col.message"): problem_message(p, lang),
        }
        for p in problems
    ]
    columns = [t(f"upload.col.{c}") for c in ("severity", "file", "sheet", "row", "column", "value", "message")]
    frame = pd.DataFrame(rows, columns=columns)
    frame[t("upload.col.row")] = frame[t("upload.col.row")].astype("Int64")
    return frame


# --- reading --------------------------------------------------------------------------------------


def _shown(value: Any) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"


@fewer_collections()
def read_upload(
    data: bytes,
    file_name: str,
    *,
    kind: str | None = None,
    store: Store,
    district: str | None,
    gcj02: bool = False,
    mappings: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    progress: Callable[[float, str], None] | None = None,
    entity: str = "carrier",
) -> Upload:
    """Read and check one file of carriers of one kind (`kind`), or of projects (`entity="project"`, no
    kind). Never writes to the store.

    `district` is the uploader's own district (staff): rows of another district are refused. `mappings`
    are header choices (normalized header -> field) on top of those remembered in the store.
    """
    today = today or dt.date.today()
    report = progress or (lambda fraction, step: None)
    rules = ENTITIES[entity]
    if rules.has_kind:
        kind = CarrierKind(kind).value
    elif kind is not None:
        raise ValueError(f"{entity} records have no kind (got {kind!r})")
    upload = Upload(file=file_name, data=data, kind=kind, district=district, entity=entity)
    own = set(rules.fields) | set(headers.SPECIALS)  # remembered choices made for another entity's files do not apply
    remembered = {h: f for h, f in store.header_mappings().items() if f in own} | dict(mappings or {})
    report(0.05, "read")
    try:
        tables, notes = files.read_tables(data, file_name, header_score=rules.header_score)
    except FileRejected as rejected:
        upload.problems.append(rejected.problem)
        return upload
    upload.problems += notes
    if not isinstance(upload.problems, ProblemList):
        upload.problems = ProblemList(upload.problems)
    districts = store.districts()[["code", "name_zh", "name_en", "aliases"]].to_dict("records")
    usable = 0
    negotiable: dict[tuple[str, str], int] = {}  # (column, what was done) -> rows, said once per file
    for number, table in enumerate(tables):
        report(0.1 + 0.5 * number / max(len(tables), 1), "parse")
        if table.geometry is None and template.is_instructions_sheet(table.sheet):
            upload.problems.append(UploadProblem(table.file, "instructions_sheet_skipped", {"sheet": table.sheet},
                                                 sheet=table.sheet, severity="info"))
            continue
        try:
            usable += _read_table(upload, table, remembered, districts, gcj02, negotiable)
        except FileRejected as rejected:
            upload.problems.append(rejected.problem)
    for (column, key), n in negotiable.items():
        upload.problems.append(UploadProblem(file_name, key, {"n": n, "column": column}, column=column, severity="info"))
    if not usable and not upload.errors:
        upload.problems.append(UploadProblem(file_name, "no_known_columns" + rules.own_words))
    report(0.6, "check")
    upload.records = merged_records(upload, store)
    rules.derive(upload)
    _check_codes(upload)
    _check_records(upload, store, today)
    _check_ownership(upload, store)
    upload.problems.close(file_name)
    report(1.0, "done")
    return upload


def _read_table(upload: Upload, table: files.RawTable, remembered: Mapping[str, str], districts: list[dict], gcj02: bool,
                negotiable: dict[tuple[str, str], int] | None = None) -> int:
    """Add the records of one sheet or layer; returns 1 if the sheet held known columns, else 0.

    `negotiable` counts, per price column, the rows that said 面议 (…) there, for one note per file."""
    frame = table.frame
    rules = upload.rules
    match = headers.match_headers([str(c) for c in frame.columns], remembered, upload.entity)
    targets = {column: target for column, target in match.targets.items() if target.field != "ignore"}
    fields_here = {target.field for target in targets.values()}
    if not (fields_here - {"ignore"}) or (table.geometry is None and not fields_here & rules.anchors):
        if len(frame.columns):
            upload.problems.append(UploadProblem(table.file, "sheet_skipped", {"sheet": table.sheet or ""}, sheet=table.sheet,
                                                 severity="warning"))
        return 0
    for column in match.unknown:
        if column not in upload.unknown_columns:
            upload.unknown_columns.append(column)
        upload.problems.append(UploadProblem(table.file, "column_not_recognised", {"column": column}, sheet=table.sheet,
                                             column=column, severity="warning"))
    for field_name, columns in match.clashes.items():
        upload.problems.append(UploadProblem(table.file, "column_clash", {"field": field_name, "columns": "、".join(columns)},
                                             sheet=table.sheet, column=columns[-1], severity="warning"))
    for column, target in targets.items():
        upload.column_targets[column] = target.field

    n = len(frame)
    rows = table.row_numbers
    if table.long_cells:
        frame = _without_long_cells(upload, table, targets)
    records: list[dict[str, Any]] = [{} for _ in range(n)]
    blank = np.ones(n, dtype=bool)
    column_of: dict[str, str] = {}

    def located(cell_problems, column: str, field_name: str | None, cells: pd.Series) -> None:
        for p in cell_problems:
            if upload.problems.full(p.severity):  # beyond the listed ones: counted, not built
                upload.problems.tally(p.severity, (table.sheet, rows[p.index], field_name))
                continue
            upload.problems.append(UploadProblem(
                table.file, p.key, dict(p.params), sheet=table.sheet, row=rows[p.index], column=column,
                value=_shown(cells.iloc[p.index]), field=field_name, severity=p.severity,
            ))

    coordinates: dict[str, tuple[np.ndarray | list, str]] = {}
    rates: dict[str, tuple[list, str]] = {}
    amounts: dict[str, tuple[list, str]] = {}
    said_negotiable: dict[str, np.ndarray] = {}  # price field -> rows whose cell is a word for "negotiable"
    for column, target in targets.items():
        if target.field in rules.not_from_files:
            upload.problems.append(UploadProblem(table.file, f"column_ignored_{target.field}", {"column": column},
                                                 sheet=table.sheet, column=column, field=target.field, severity="warning"))
            continue
        cells = frame[column]
        blank &= values.empty_mask(cells)
        if target.field in PRICE_FIELDS or target.field == NEGOTIABLE:
            words = values.negotiable_mask(cells)
            if words.any():
                if target.field in PRICE_FIELDS:
                    said_negotiable[target.field] = words
                    cells = cells.where(~words, None)  # the number stays empty
                else:
                    cells = cells.where(~words, True)  # 面议 in the 价格面议 column: yes
        if target.field in COORDINATE_TARGETS:
            parsed, cell_problems = (values.parse_wkt_column(cells) if target.field == "wkt"
                                     else values.parse_coordinate_column(cells))
            coordinates[target.field] = (parsed, column)
            located(cell_problems, column, "geometry", cells)
            continue
        if target.field in RATE_TARGETS:
            parsed, cell_problems = values.parse_ratio_column(cells, target.unit)
            rates[target.field] = (parsed, column)
            located(cell_problems, column, "vacant_m2", cells)
            continue
        spec = rules.fields.get(target.field)
        if spec is None or spec.name == "geometry":
            continue
        if spec.name == AMOUNT:
            parsed, cell_problems = values.parse_amount_column(cells, target.unit)
            located(cell_problems, column, spec.name, cells)
            bad = {p.index for p in cell_problems if p.severity == "error"}
            amounts[column] = ([None if i in bad else v for i, v in enumerate(parsed)], column)
            column_of[spec.name] = column
            continue
        parsed, cell_problems = values.parse_column(spec, cells, target.unit, districts=districts if spec.district else None)
        located(cell_problems, column, spec.name, cells)
        bad = {p.index for p in cell_problems if p.severity == "error"}
        column_of[spec.name] = column
        for i, value in enumerate(parsed):
            if i not in bad and value is not None:
                records[i][spec.name] = value

    geometries = _geometries(upload, table, coordinates, gcj02, rows)
    if geometries is not None:
        column_of["geometry"] = coordinates.get("wkt", coordinates.get("lon", coordinates.get("x", (None, "geometry"))))[1]
        for i, geom in enumerate(geometries):
            if geom is not None:
                records[i]["geometry"] = geom
    if table.geometry is not None:
        blank &= np.array([g is None or g.is_empty for g in table.geometry], dtype=bool)
    _apply_rates(records, rates, column_of)
    _apply_amounts(upload, table, records, amounts, column_of)
    if rules.has_kind:
        for i, rec in enumerate(records):
            rec.setdefault("kind", upload.kind)
        _apply_negotiable(upload, table, records, said_negotiable, column_of, ~blank,
                          negotiable if negotiable is not None else {})

    for i, rec in enumerate(records):
        if blank[i]:
            continue  # an empty line in the sheet, not a record
        if upload.district and is_missing(rec.get("district")) and "district" not in column_of:
            rec["district"] = upload.district  # a district's own file need not repeat its name on each row
        upload.records.append(rec)
        upload.origins.append(Origin(table.sheet, rows[i], column_of))
    return 1


def _apply_negotiable(upload: Upload, table: files.RawTable, records: list[dict], said: Mapping[str, np.ndarray],
                      column_of: dict[str, str], used: np.ndarray, counts: dict[tuple[str, str], int]) -> None:
    """面议 (…) in a price column: the carrier's price is negotiable, its number left empty; never an error.

    - A file with its own 价格面议 column says it there; 面议 in the price column then agrees with it (a row
      saying 否 there and 面议 in the price is refused: which of them is meant would be a guess).
    - Without that column, the price column decides: 面议 marks the carrier negotiable, anything else
      (a number, or nothing) marks it not negotiable.
    - A carrier marked negotiable has no price: one stored from an earlier upload is cleared.
    - 面议 in a price column that is not the carrier's own price (the property fee; a land price for a
      building) leaves that cell empty and marks nothing.
    """
    explicit = NEGOTIABLE in column_of
    rows = table.row_numbers
    for field_name, words in said.items():
        column = column_of.get(field_name)
        if column is None:  # the column's cells were unreadable for another reason
            continue
        own = np.array([price_field(rec.get("kind")) == field_name for rec in records], dtype=bool)
        left_empty = int((words & used & ~own).sum())
        if left_empty:
            key = (column, "price_word_left_empty")
            counts[key] = counts.get(key, 0) + left_empty
        marked = int((words & used & own).sum())
        if marked:
            key = (column, "price_negotiable_read")
            counts[key] = counts.get(key, 0) + marked
    for i, rec in enumerate(records):
        if not used[i]:
            continue
        name = price_field(rec.get("kind"))
        word = name in said and bool(said[name][i])
        if explicit:
            flag = rec.get(NEGOTIABLE)
            if word and flag is False:
                upload.problems.append(UploadProblem(
                    table.file, "negotiable_conflict", {"column": column_of[name]}, sheet=table.sheet, row=rows[i],
                    column=column_of[NEGOTIABLE], value=_shown(table.frame[column_of[NEGOTIABLE]].iloc[i]), field=NEGOTIABLE))
                continue
            if word:
                rec[NEGOTIABLE] = True
        elif name in column_of:
            rec[NEGOTIABLE] = word
        if rec.get(NEGOTIABLE) is True and name not in column_of:
            rec[name] = None  # negotiable now: a price stored before no longer holds
    if not explicit and price_field(upload.kind) in column_of:
        column_of[NEGOTIABLE] = column_of[price_field(upload.kind)]  # the price column said it, for every row


def _without_long_cells(upload: Upload, table: files.RawTable, targets: Mapping[str, Any]) -> pd.DataFrame:
    """Cells longer than the CSV field limit: in a column the import uses, an error naming the cell (and
    the cell is not read further); in a column it ignores, a warning, and the import goes on."""
    frame = table.frame.copy()
    for i, column, length in table.long_cells:
        used = column in targets
        upload.problems.append(UploadProblem(
            table.file, "cell_too_long" if used else "cell_too_long_ignored",
            {"length": f"{length:,}", "limit": f"{files.CSV_FIELD_LIMIT:,}", "column": column, "row": table.row_numbers[i]},
            sheet=table.sheet, row=table.row_numbers[i], column=column, value=_shown(frame.at[i, column]),
            field=targets[column].field if used and targets[column].field in upload.rules.fields else None,
            severity="error" if used else "warning",
        ))
        if used:
            frame.at[i, column] = ""
    return frame


def _geometries(upload: Upload, table: files.RawTable, coordinates, gcj02: bool, rows: Sequence[int]) -> list | None:
    """The rows' geometries in WGS-84, from the file's own geometry, lon/lat or x/y columns, or WKT."""
    n = len(table.frame)
    if table.geometry is not None:
        source = np.asarray(table.geometry.values, dtype=object)
        source_crs = table.crs
    else:
        # A boundary (WKT) where the row has one, else the row's own lon/lat (or x/y): a template's empty
        # WKT column must not hide the coordinates filled in beside it.
        source_crs = None
        wkt = np.asarray(coordinates["wkt"][0], dtype=object) if "wkt" in coordinates else None
        has_wkt = (np.array([g is not None and not g.is_empty for g in wkt], dtype=bool) if wkt is not None
                   else np.zeros(n, dtype=bool))
        points = _points(upload, table, coordinates, rows, skip=has_wkt, complain=wkt is None)
        if wkt is None and points is None:
            return None
        if wkt is None:
            source = points
        elif points is None:
            source = wkt
        else:
            source = np.where(has_wkt, wkt, points)
    column = (None if table.geometry is not None else coordinates["wkt"][1] if "wkt" in coordinates
              else coordinates.get("lon", coordinates.get("x", (None, None)))[1])
    source = _without_huge_geometries(upload, table, source, column, rows)
    present = np.array([g is not None and not g.is_empty for g in source], dtype=bool)
    if not present.any():
        return [None] * n
    converted, decision = crs_mod.to_wgs84(source, source_crs, gcj02=gcj02, file=table.file)
    upload.crs = decision
    if decision.note is not None and decision.note not in upload.problems:
        upload.problems.append(decision.note)
    return [g if ok else None for g, ok in zip(converted, present)]


def _points(upload: Upload, table: files.RawTable, coordinates, rows: Sequence[int], *, skip: np.ndarray,
            complain: bool) -> np.ndarray | None:
    """Points from the lon/lat (or x/y) columns, None where a row has none; rows in `skip` (they have a
    boundary) are not checked. None when the table has no such pair; a pair with one column missing is
    reported when `complain` (no boundary column either)."""
    pair = ("lon", "lat") if "lon" in coordinates or "lat" in coordinates else ("x", "y")
    if pair[0] not in coordinates and pair[1] not in coordinates:
        return None
    if pair[0] not in coordinates or pair[1] not in coordinates:
        if complain:
            missing = pair[1] if pair[0] in coordinates else pair[0]
            upload.problems.append(UploadProblem(table.file, "coordinate_column_missing", {"column": missing}, sheet=table.sheet))
        return None
    x = np.asarray(coordinates[pair[0]][0], dtype=float)
    y = np.asarray(coordinates[pair[1]][0], dtype=float)
    x, y = np.where(skip, np.nan, x), np.where(skip, np.nan, y)
    column = coordinates[pair[0]][1]
    swapped = crs_mod.looks_swapped(x, y)
    if pair == ("x", "y") and swapped.sum() > np.count_nonzero(~skip) / 2:
        # Chinese surveying writes X for the northing: take the columns the other way round, and say so
        x, y = y, x
        swapped = crs_mod.looks_swapped(x, y)
        upload.problems.append(UploadProblem(table.file, "xy_northing_first", sheet=table.sheet, severity="info"))
    for i in np.flatnonzero(swapped):
        upload.problems.append(UploadProblem(table.file, "swapped_lat_lon", {"x": x[i], "y": y[i]}, sheet=table.sheet,
                                             row=rows[i], column=column, value=f"{x[i]}, {y[i]}", field="geometry"))
    x, y = np.where(swapped, np.nan, x), np.where(swapped, np.nan, y)
    if pair == ("lon", "lat"):  # 310.5 is no latitude, whatever the coordinate system
        bad_lon, bad_lat = crs_mod.outside_degrees(x, y)
        for key, bad, values_, name in (("longitude_out_of_range", bad_lon, x, "lon"), ("latitude_out_of_range", bad_lat, y, "lat")):
            for i in np.flatnonzero(bad):
                upload.problems.append(UploadProblem(table.file, key, {"value": crs_mod.shown_number(values_[i])}, sheet=table.sheet,
                                                     row=rows[i], column=coordinates[name][1],
                                                     value=crs_mod.shown_number(values_[i]), field="geometry"))
        x, y = np.where(bad_lon | bad_lat, np.nan, x), np.where(bad_lon | bad_lat, np.nan, y)
    return crs_mod.points_from_xy(x, y)


def _without_huge_geometries(upload: Upload, table: files.RawTable, source: np.ndarray, column: str | None,
                             rows: Sequence[int]) -> np.ndarray:
    """Geometries over model.MAX_VERTICES are refused on their row before anything transforms or checks them."""
    counts = shapely.get_num_coordinates(np.asarray(source, dtype=object))
    huge = np.flatnonzero(counts > MAX_VERTICES)
    if not len(huge):
        return source
    source = np.array(source, dtype=object)
    for i in huge:
        upload.problems.append(UploadProblem(table.file, "too_many_vertices", {"vertices": f"{counts[i]:,}", "limit": f"{MAX_VERTICES:,}"},
                                             sheet=table.sheet, row=rows[i], column=column, field="geometry"))
        source[i] = None
    return source


def _apply_rates(records: list[dict], rates: Mapping[str, tuple[list, str]], column_of: dict[str, str]) -> None:
    """A vacancy or occupancy rate stands for the vacant area when the file gives no area itself."""
    if not rates or "vacant_m2" in column_of:
        return
    name, (parsed, column) = next(iter(rates.items()))
    column_of["vacant_m2"] = column
    for rec, ratio in zip(records, parsed):
        base = rec.get("leasable_m2", rec.get("area_m2"))
        if ratio is None or base is None:
            continue
        vacant_share = ratio if name == "vacancy_rate" else 1 - ratio
        rec["vacant_m2"] = round(base * vacant_share, 1)


def _apply_amounts(upload: Upload, table: files.RawTable, records: list[dict], amounts: Mapping[str, tuple[list, str]],
                   column_of: dict[str, str]) -> None:
    """An amount and the currency it is in. The cell (or its header) may name the currency: "3,000万美元".
    With a currency column too, the two must agree, else the row is refused at the amount (which of them is
    meant would be a guess); the currency column alone, or the amount's own, gives the record's currency;
    neither gives CNY (the model's default). A file with an amount column states the currency of every row
    it has an amount on, so a stored currency is not kept beside a new amount."""
    if not amounts:
        return
    (parsed, column), = amounts.values()
    has_currency_column = "currency" in column_of
    rows = table.row_numbers
    for i, (rec, amount) in enumerate(zip(records, parsed)):
        if amount is None:
            continue
        value, currency = amount
        stated = rec.get("currency")
        if has_currency_column and currency and isinstance(stated, str) and stated != currency:
            upload.problems.append(UploadProblem(
                table.file, "amount_currency_conflict", {"currency": currency, "column_currency": stated,
                                                         "column": column_of["currency"]},
                sheet=table.sheet, row=rows[i], column=column, value=_shown(table.frame[column].iloc[i]), field=AMOUNT))
            continue
        rec[AMOUNT] = value
        if not isinstance(stated, str):
            rec["currency"] = currency or "CNY"
    if not has_currency_column:
        column_of["currency"] = column  # the amount column said it, for every row


# --- checks on the whole file ------------------------------------------------------------------------


def _locate(upload: Upload, index: int, field_name: str | None, key: str, params: Mapping[str, Any], severity: str = "error"):
    origin = upload.origins[index]
    column = origin.columns.get(field_name) if field_name else None
    value = upload.records[index].get(field_name) if field_name and field_name != "geometry" else None
    return UploadProblem(upload.file, key, dict(params), sheet=origin.sheet, row=origin.row, column=column,
                         value=_shown(value), field=field_name, severity=severity)


def _check_codes(upload: Upload) -> None:
    first_row: dict[str, int] = {}
    for i, rec in enumerate(upload.records):
        code = rec.get("code")
        if not isinstance(code, str):
            continue
        if code in first_row:
            first = upload.origins[first_row[code]]
            sheet = upload.origins[i].sheet
            if first.sheet != sheet:  # two sheets or layers: say both, the report's sheet column shows only this one
                upload.problems.append(_locate(upload, i, "code", "duplicate_code_in_other_sheet", {
                    "code": code, "sheet": sheet or "", "first_sheet": first.sheet or "", "first_row": first.row}))
            else:
                upload.problems.append(_locate(upload, i, "code", "duplicate_code_in_file", {"code": code, "first_row": first.row}))
        else:
            first_row[code] = i


def _check_records(upload: Upload, store: Store, today: dt.date) -> None:
    """The model's rules for every record, located in the file; a record unverified for a year warns."""
    districts = store.district_codes()
    already = upload.problems.cells  # (sheet, row, field) of every error so far, listed or not
    rules = upload.rules
    found = rules.validate_many([rules.defaults(rec) for rec in upload.records], districts=districts, today=today)
    missing_columns: dict[tuple[str | None, str], int] = {}  # (sheet, field) -> rows left without it
    for i, rec in enumerate(upload.records):
        if rules.has_kind and rec.get("kind") != upload.kind:
            upload.problems.append(_locate(upload, i, "kind", "kind_mismatch",
                                           {"value": rec.get("kind"), "kind": upload.kind}))
        for problem in found[i]:
            origin = upload.origins[i]
            if problem.key == "required" and (origin.sheet, origin.row, problem.field) in already:
                continue  # the cell was unreadable: that is already said
            if problem.key == "required" and problem.field not in origin.columns:
                # the file has no such column at all: said once for the sheet, not once per row
                missing_columns[(origin.sheet, problem.field)] = missing_columns.get((origin.sheet, problem.field), 0) + 1
                continue
            upload.problems.append(_locate(upload, i, problem.field, problem.key, problem.params))
        verified = rec.get("verified_on")
        if isinstance(verified, dt.date) and (today - verified).days > STALE_WARNING_DAYS:
            upload.problems.append(_locate(upload, i, "verified_on", "not_verified_for_a_year",
                                           {"date": verified.isoformat()}, severity="warning"))
    for (sheet, field_name), rows in missing_columns.items():
        upload.problems.append(UploadProblem(upload.file, "required_column_missing", {"field": field_name, "rows": rows},
                                             sheet=sheet, field=field_name))


def _derive_status(upload: Upload) -> None:
    """A file without a status column (and no stored status for the code): the status follows from the
    vacant area and the area that can be let (leasable, else total): none vacant -> fully occupied, all of
    it vacant -> available, some -> partly available. Said once per sheet, as a note. A status stored
    before (reserved, planned …) is kept: only records that would have none get one."""
    derived: dict[str | None, int] = {}
    for rec, origin in zip(upload.records, upload.origins):
        if "status" in origin.columns or not is_missing(rec.get("status")):
            continue
        vacant = rec.get("vacant_m2")
        base = rec.get("leasable_m2") if not is_missing(rec.get("leasable_m2")) else rec.get("area_m2")
        if not isinstance(vacant, (int, float)) or not isinstance(base, (int, float)) or base <= 0 or vacant < 0:
            continue
        if vacant == 0:
            rec["status"] = CarrierStatus.OCCUPIED.value
        elif vacant >= base:
            rec["status"] = CarrierStatus.AVAILABLE.value
        else:
            rec["status"] = CarrierStatus.PARTIAL.value
        derived[origin.sheet] = derived.get(origin.sheet, 0) + 1
    for sheet, n in derived.items():
        upload.problems.append(UploadProblem(upload.file, "status_derived", {"rows": n}, sheet=sheet, field="status",
                                             severity="info"))


def _check_ownership(upload: Upload, store: Store) -> None:
    """Staff change only their own district's records: rows naming another district are refused, and so
    are codes already stored for another district. (A project's 首谈地, origin_district, may name another
    district: it says where the project was first talked about, not whose record it is.)"""
    if upload.district is None:
        return
    for i, rec in enumerate(upload.records):
        district = rec.get("district")
        if isinstance(district, str) and district != upload.district and district in store.district_codes():
            upload.problems.append(_locate(upload, i, "district", "other_district" + upload.rules.own_words,
                                           {"district": district, "own": upload.district}))
    codes = [r["code"] for r in upload.records if isinstance(r.get("code"), str)]
    owners = store.owners(upload.entity, codes)
    for i, rec in enumerate(upload.records):
        owner = owners.get(rec.get("code"))
        if owner is not None and owner != upload.district:
            upload.problems.append(_locate(upload, i, "code", "code_of_other_district",
                                           {"code": rec["code"], "district": owner}))


# --- preview and commit -----------------------------------------------------------------------------


ALWAYS_GIVEN = ("code", "kind", "district")  # every carrier has these, from the file or the upload's choices


def merged_records(upload: Upload, store: Store) -> list[dict[str, Any]]:
    """The file's records, completed from the stored ones: a column the file does not have leaves the
    stored value as it is (a file of vacant areas alone must not wipe addresses and contacts). Checks
    then see each record as it would be stored."""
    codes = [r["code"] for r in upload.records if isinstance(r.get("code"), str)]
    upload.base = {}
    stored = store.stored_records(upload.entity, codes, upload.base)
    always = set(upload.rules.always_given)
    out = []
    for rec, origin in zip(upload.records, upload.origins):
        old = stored.get(rec.get("code"))
        if old is None:
            out.append(rec)
            continue
        given = set(origin.columns) | always
        out.append({**{k: v for k, v in old.items() if k not in given}, **rec})
    return out


@fewer_collections()
def preview(upload: Upload, store: Store, *, replace: bool = False) -> Diff:
    """Added, changed (field by field), unchanged and, replacing the district's carriers of this kind (or
    its projects), removed — against what is stored now."""
    return store.diff(upload.entity, upload.records, **_replace_args(upload, replace))


def _replace_args(upload: Upload, replace: bool) -> dict[str, Any]:
    if not replace:
        return {}
    if upload.district is None:
        districts = {r.get("district") for r in upload.records}
        if len(districts) != 1:
            raise ValidationError([Problem(upload.file, "district", "replace_needs_one_district" + upload.rules.own_words)])
        district = districts.pop()
    else:
        district = upload.district
    return {"remove_missing_in_district": district, "remove_missing_kind": upload.kind if upload.rules.has_kind else None}


def upload_summary(upload: Upload) -> dict[str, Any]:
    """What the audit trail keeps of a file read for upload (its rows are not copied there): what it held, how
    many records and problems, and its fingerprint (the commit's version keeps the same one)."""
    return {"entity": upload.entity, "kind": upload.kind, "records": len(upload.records), "errors": upload.error_count,
            "warnings": upload.warning_count, "bytes": len(upload.data), "sha256": upload.file_hash}


def commit(upload: Upload, store: Store, *, user: str, note: str | None = None, replace: bool = False,
           source: str = "upload", previewed: Diff | None = None) -> tuple[int | None, Diff]:
    """Write the file as one new version (all or nothing). Refuses a file that has errors.

    Two people may upload at once. The write is checked against what this upload read: the stored records
    it was completed from (`Upload.base`) and the preview the person saw (`previewed`; computed now when not
    given). If any of them changed since — another commit or a rollback came first — nothing is written and
    `Conflict` is raised ("the data changed since your preview: preview again"). The page then shows the
    fresh preview; `commit_current` (the command line) reads the file again and retries.
    """
    if not upload.can_commit:
        raise ValidationError([Problem(upload.file, "file", "upload_has_errors", {"n": upload.error_count})])
    shown = previewed if previewed is not None else preview(upload, store, replace=replace)
    moved = [code for code, version in upload.base.items() if shown.base.get(code, -1) != version]
    if moved:
        raise conflict(moved)
    args = _replace_args(upload, replace)
    return store.save(
        upload.entity, upload.records, user=user, source=source, file_name=upload.file, file_bytes=upload.data,
        note=note or None, district=upload.district or args.get("remove_missing_in_district"),
        expected_base=shown.base, **args,
    )


def commit_current(read: Callable[[], Upload], store: Store, *, user: str, note: str | None = None,
                   replace: bool = False, source: str = "cli", attempts: int = 3,
                   on_retry: Callable[[int], None] | None = None) -> tuple[Upload, int | None, Diff]:
    """Read, compare and commit, as many as `attempts` times while another writer keeps coming first:
    for callers that show no preview to a person (the command line), so what is committed is always the
    file's difference from the data as it is when written. Raises the last `Conflict` when every attempt
    lost the race, and ValidationError when the file (as read the last time) has errors."""
    for attempt in range(1, attempts + 1):
        upload = read()
        if not upload.can_commit:
            raise ValidationError([Problem(upload.file, "file", "upload_has_errors", {"n": upload.error_count})])
        shown = preview(upload, store, replace=replace)
        try:
            version, applied = commit(upload, store, user=user, note=note, replace=replace, source=source,
                                      previewed=shown)
        except Conflict:
            if attempt == attempts:
                raise
            if on_retry:
                on_retry(attempt)
            continue
        return upload, version, applied
    raise AssertionError("unreachable")


def kinds() -> Iterable[str]:
    return [k.value for k in CarrierKind]


CARRIER_RULES = EntityRules(
    name="carrier", fields=CARRIER_FIELD, anchors=frozenset({"code", "name", "area_m2"}), always_given=ALWAYS_GIVEN,
    validate_many=validate_carriers, defaults=carrier_defaults, has_kind=True, derive=_derive_status,
    header_score=headers.header_score,
)
PROJECT_RULES = EntityRules(
    name="project", fields=PROJECT_FIELD, anchors=frozenset({"code", "name", "investor"}), always_given=("code", "district"),
    validate_many=validate_projects, defaults=project_defaults, has_kind=False, derive=_no_derivation,
    header_score=headers.project_header_score, own_words="_project",
    not_from_files=PROJECT_FIELDS_NOT_UPLOADED,
)
ENTITIES: dict[str, EntityRules] = {rules.name: rules for rules in (CARRIER_RULES, PROJECT_RULES)}
