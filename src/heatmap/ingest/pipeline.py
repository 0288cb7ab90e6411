"""One upload, start to end: bytes -> located problems and carrier records -> preview -> one new version.

`read_upload` never writes; `preview` compares with what is stored; `commit` writes all or nothing
through Store.save (which validates again inside its transaction). The web page and the command line
(`python -m heatmap import`) both run exactly this.
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
from heatmap.ingest import files, headers, values
from heatmap.ingest.problems import FileRejected, ProblemList, UploadProblem
from heatmap.model import CARRIER_FIELD, MAX_VERTICES, CarrierKind, Problem, ValidationError, carrier_defaults, is_missing, validate_carriers
from heatmap.store import Diff, Store

STALE_WARNING_DAYS = 365  # a record not verified for a year is flagged (a warning: it does not block)
COORDINATE_TARGETS = ("lon", "lat", "x", "y", "wkt")
RATE_TARGETS = ("vacancy_rate", "occupancy_rate")
SHOWN_VALUE_CHARS = 60


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
    kind: str
    district: str | None  # the uploader's district (staff); None: any district (administrators)
    records: list[dict[str, Any]] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    problems: ProblemList = field(default_factory=ProblemList)  # bounded per severity; `counts` has them all
    unknown_columns: list[str] = field(default_factory=list)  # headers as written, not yet mapped
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


def problem_message(problem: UploadProblem, lang: str) -> str:
    """The problem's sentence in the language (upload messages first, then the model's own). A key both
    catalogs know ("too_large": a file too large, a value above its maximum) takes the sentence its
    params fill."""
    for prefix in ("ingest.", "problem."):
        key = prefix + problem.key
        if i18n.has(key) and _placeholders(key) <= set(problem.params):
            return i18n.t(key, lang, **{k: v for k, v in problem.params.items()})
    return problem.key


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
    kind: str,
    store: Store,
    district: str | None,
    gcj02: bool = False,
    mappings: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Upload:
    """Read and check one file of carriers of one kind. Never writes to the store.

    `district` is the uploader's own district (staff): rows of another district are refused. `mappings`
    are header choices (normalized header -> field) on top of those remembered in the store.
    """
    today = today or dt.date.today()
    report = progress or (lambda fraction, step: None)
    upload = Upload(file=file_name, data=data, kind=CarrierKind(kind).value, district=district)
    remembered = store.header_mappings() | dict(mappings or {})
    report(0.05, "read")
    try:
        tables, notes = files.read_tables(data, file_name, header_score=headers.header_score)
    except FileRejected as rejected:
        upload.problems.append(rejected.problem)
        return upload
    upload.problems += notes
    if not isinstance(upload.problems, ProblemList):
        upload.problems = ProblemList(upload.problems)
    districts = store.districts()[["code", "name_zh", "name_en", "aliases"]].to_dict("records")
    usable = 0
    for number, table in enumerate(tables):
        report(0.1 + 0.5 * number / max(len(tables), 1), "parse")
        try:
            usable += _read_table(upload, table, remembered, districts, gcj02)
        except FileRejected as rejected:
            upload.problems.append(rejected.problem)
    if not usable and not upload.errors:
        upload.problems.append(UploadProblem(file_name, "no_known_columns"))
    report(0.6, "check")
    upload.records = merged_records(upload, store)
    _check_codes(upload)
    _check_records(upload, store, today)
    _check_ownership(upload, store)
    upload.problems.close(file_name)
    report(1.0, "done")
    return upload


def _read_table(upload: Upload, table: files.RawTable, remembered: Mapping[str, str], districts: list[dict], gcj02: bool) -> int:
    """Add the records of one sheet or layer; returns 1 if the sheet held known columns, else 0."""
    frame = table.frame
    match = headers.match_headers([str(c) for c in frame.columns], remembered)
    targets = {column: target for column, target in match.targets.items() if target.field != "ignore"}
    fields_here = {target.field for target in targets.values()}
    if not (fields_here - {"ignore"}) or (table.geometry is None and not fields_here & {"code", "name", "area_m2"}):
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
    for column, target in targets.items():
        cells = frame[column]
        blank &= values.empty_mask(cells)
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
        spec = CARRIER_FIELD.get(target.field)
        if spec is None or spec.name == "geometry":
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

    for i, rec in enumerate(records):
        if blank[i]:
            continue  # an empty line in the sheet, not a record
        rec.setdefault("kind", upload.kind)
        if upload.district and is_missing(rec.get("district")) and "district" not in column_of:
            rec["district"] = upload.district  # a district's own file need not repeat its name on each row
        upload.records.append(rec)
        upload.origins.append(Origin(table.sheet, rows[i], column_of))
    return 1


def _geometries(upload: Upload, table: files.RawTable, coordinates, gcj02: bool, rows: Sequence[int]) -> list | None:
    """The rows' geometries in WGS-84, from the file's own geometry, lon/lat or x/y columns, or WKT."""
    n = len(table.frame)
    if table.geometry is not None:
        source = np.asarray(table.geometry.values, dtype=object)
        source_crs, column = table.crs, None
    elif "wkt" in coordinates:
        source, column = np.asarray(coordinates["wkt"][0], dtype=object), coordinates["wkt"][1]
        source_crs = None
    else:
        pair = ("lon", "lat") if "lon" in coordinates or "lat" in coordinates else ("x", "y")
        if pair[0] not in coordinates and pair[1] not in coordinates:
            return None
        if pair[0] not in coordinates or pair[1] not in coordinates:
            missing = pair[1] if pair[0] in coordinates else pair[0]
            upload.problems.append(UploadProblem(table.file, "coordinate_column_missing", {"column": missing}, sheet=table.sheet))
            return None
        x = np.asarray(coordinates[pair[0]][0], dtype=float)
        y = np.asarray(coordinates[pair[1]][0], dtype=float)
        column = coordinates[pair[0]][1]
        swapped = crs_mod.looks_swapped(x, y)
        if pair == ("x", "y") and swapped.sum() > len(x) / 2:
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
        source, source_crs = crs_mod.points_from_xy(x, y), None
    source = _without_huge_geometries(upload, table, source, column, rows)
    present = np.array([g is not None and not g.is_empty for g in source], dtype=bool)
    if not present.any():
        return [None] * n
    converted, decision = crs_mod.to_wgs84(source, source_crs, gcj02=gcj02, file=table.file)
    upload.crs = decision
    if decision.note is not None and decision.note not in upload.problems:
        upload.problems.append(decision.note)
    return [g if ok else None for g, ok in zip(converted, present)]


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
    found = validate_carriers([carrier_defaults(rec) for rec in upload.records], districts=districts, today=today)
    for i, rec in enumerate(upload.records):
        if rec.get("kind") != upload.kind:
            upload.problems.append(_locate(upload, i, "kind", "kind_mismatch",
                                           {"value": rec.get("kind"), "kind": upload.kind}))
        for problem in found[i]:
            origin = upload.origins[i]
            if problem.key == "required" and (origin.sheet, origin.row, problem.field) in already:
                continue  # the cell was unreadable: that is already said
            upload.problems.append(_locate(upload, i, problem.field, problem.key, problem.params))
        verified = rec.get("verified_on")
        if isinstance(verified, dt.date) and (today - verified).days > STALE_WARNING_DAYS:
            upload.problems.append(_locate(upload, i, "verified_on", "not_verified_for_a_year",
                                           {"date": verified.isoformat()}, severity="warning"))


def _check_ownership(upload: Upload, store: Store) -> None:
    """Staff change only their own district's carriers: rows naming another district are refused, and so
    are codes already stored for another district."""
    if upload.district is None:
        return
    for i, rec in enumerate(upload.records):
        district = rec.get("district")
        if isinstance(district, str) and district != upload.district and district in store.district_codes():
            upload.problems.append(_locate(upload, i, "district", "other_district",
                                           {"district": district, "own": upload.district}))
    codes = [r["code"] for r in upload.records if isinstance(r.get("code"), str)]
    owners = store.owners("carrier", codes)
    for i, rec in enumerate(upload.records):
        owner = owners.get(rec.get("code"))
        if owner is not None and owner != upload.district:
            upload.problems.append(_locate(upload, i, "code", "code_of_other_district",
                                           {"code": rec["code"], "district": owner}))


# --- preview and commit -----------------------------------------------------------------------------


ALWAYS_GIVEN = ("code", "kind", "district")  # every record has these, from the file or the upload's choices


def merged_records(upload: Upload, store: Store) -> list[dict[str, Any]]:
    """The file's records, completed from the stored ones: a column the file does not have leaves the
    stored value as it is (a file of vacant areas alone must not wipe addresses and contacts). Checks
    then see each record as it would be stored."""
    codes = [r["code"] for r in upload.records if isinstance(r.get("code"), str)]
    stored = store.stored_records("carrier", codes)
    out = []
    for rec, origin in zip(upload.records, upload.origins):
        old = stored.get(rec.get("code"))
        if old is None:
            out.append(rec)
            continue
        given = set(origin.columns) | set(ALWAYS_GIVEN)
        out.append({**{k: v for k, v in old.items() if k not in given}, **rec})
    return out


@fewer_collections()
def preview(upload: Upload, store: Store, *, replace: bool = False) -> Diff:
    """Added, changed (field by field), unchanged and, replacing the district's carriers of this kind,
    removed — against what is stored now."""
    return store.diff("carrier", upload.records, **_replace_args(upload, replace))


def _replace_args(upload: Upload, replace: bool) -> dict[str, Any]:
    if not replace:
        return {}
    if upload.district is None:
        districts = {r.get("district") for r in upload.records}
        if len(districts) != 1:
            raise ValidationError([Problem(upload.file, "district", "replace_needs_one_district")])
        district = districts.pop()
    else:
        district = upload.district
    return {"remove_missing_in_district": district, "remove_missing_kind": upload.kind}


def commit(upload: Upload, store: Store, *, user: str, note: str | None = None, replace: bool = False,
           source: str = "upload") -> tuple[int | None, Diff]:
    """Write the file as one new version (all or nothing). Refuses a file that has errors."""
    if not upload.can_commit:
        raise ValidationError([Problem(upload.file, "file", "upload_has_errors", {"n": upload.error_count})])
    args = _replace_args(upload, replace)
    return store.save(
        "carrier", upload.records, user=user, source=source, file_name=upload.file, file_bytes=upload.data,
        note=note or None, district=upload.district or args.get("remove_missing_in_district"), **args,
    )


def kinds() -> Iterable[str]:
    return [k.value for k in CarrierKind]
