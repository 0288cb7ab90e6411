"""Uploaded bytes -> raw tables, safely: size limits, the real type behind the extension, safe zips,
text encodings, Excel header rows and sheets, GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ.

`read_tables(data, file_name)` returns one RawTable per sheet / layer plus warning notes, or raises
FileRejected for a file that cannot be read at all. Cells are returned as read (no typing here);
`heatmap.ingest.values` turns them into values.

Geodata is read with pyogrio from a private temporary directory that is always removed; nothing
inside a zip chooses a file name on disk (members are written as "layer<N>.<ext>").
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

import numpy as np
import pandas as pd

from heatmap.ingest.problems import FileRejected, UploadProblem

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pyproj

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 200 * MB  # default; HEATMAP_MAX_UPLOAD_MB overrides it (read at call time)
ZIP_MAX_TOTAL_BYTES = 1024 * MB  # sum of the members' uncompressed sizes
ZIP_MAX_RATIO = 100  # uncompressed / compressed, checked on members larger than ZIP_RATIO_MIN_BYTES
ZIP_RATIO_MIN_BYTES = 20 * MB
ZIP_MAX_MEMBERS = 10_000
# The reader of .xlsx/.xlsm uploads: "openpyxl" (sees formulas as written, so a formula is refused) or
# "calamine" (python-calamine: faster, but a formula cell gives its last computed value). The benchmark
# compares the two (benchmarks/bench_import.py --formats xlsx,xlsx-calamine).
XLSX_READER = "openpyxl"
CSV_FIELD_LIMIT = 131_072  # the csv module's default field limit: a longer CSV cell is read, and reported
ZIP_MAX_DIRECTORY_BYTES = ZIP_MAX_MEMBERS * 1024  # the central directory itself, read before any member
# A workbook (.xlsx/.xlsm/.ods) is a zip of XML that its parser holds in memory, and so is the KML of a KMZ:
# a tighter total than for Shapefiles, which are streamed to disk. 100,000 rows x 11 columns written by
# pandas are 80 MB of XML; 300 MB leaves room for wide sheets and refuses the files that would take
# gigabytes and minutes to parse.
PARSED_MAX_TOTAL_BYTES = 300 * MB
MAX_ROWS = 200_000  # data rows per file (twice the 100,000 the import is measured at); more is refused unread
SHEET_MAX_CELLS = 20_000_000  # rows x the widest row's columns, per sheet (1M rows x 20 columns)
HEADER_SEARCH_ROWS = 30  # the header is looked for among this many first rows
HEADER_MIN_SHARE = 0.6  # default heuristic: text cells >= 60 % of the widest row's filled cells

EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
# read with python-calamine: the legacy binary .xls (WPS and old Excel still save it), .xlsb, OpenDocument .ods
CALAMINE_EXTENSIONS = (".xls", ".xlsb", ".ods")
TEXT_EXTENSIONS = (".csv", ".txt")
GEO_EXTENSIONS = (".geojson", ".json", ".gpkg", ".kml", ".kmz", ".zip")
SUPPORTED_EXTENSIONS = EXCEL_EXTENSIONS + CALAMINE_EXTENSIONS + TEXT_EXTENSIONS + GEO_EXTENSIONS
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# inside a zip, besides Shapefiles
_ZIP_INNER_READABLE = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".geojson", ".json", ".gpkg", ".kml")
_ZIP_JUNK = re.compile(r"(^|/)(__MACOSX/|\._|\.DS_Store$|Thumbs\.db$)", re.IGNORECASE)

# LIBKML reports these for every placemark; they describe styling, not the data
_KML_STYLE_COLUMNS = ("altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "snippet")
_KML_OPTIONAL_COLUMNS = ("id", "Name", "description", "timestamp", "begin", "end")


def max_upload_bytes() -> int:
    """The largest upload accepted: HEATMAP_MAX_UPLOAD_MB (megabytes) or MAX_UPLOAD_BYTES."""
    value = os.environ.get("HEATMAP_MAX_UPLOAD_MB", "").strip()
    if value:
        try:
            return int(float(value) * MB)
        except ValueError:
            pass
    return MAX_UPLOAD_BYTES


@dataclass
class RawTable:
    file: str  # the uploaded file's name (for zips: "archive.zip/inner.shp")
    sheet: str | None  # Excel sheet name or geodata layer name; None for CSV
    header_row: int | None  # the header's row number as the user sees it (1-based); None for geodata
    frame: pd.DataFrame  # one column per header as written (stripped, made unique with " (2)"), cells as read
    row_numbers: list[int]  # per frame row, the number the user sees
    geometry: "gpd.GeoSeries | None" = None  # same length as frame, in `crs`
    crs: "pyproj.CRS | None" = None  # the CRS the file declares
    long_cells: list[tuple[int, str, int]] = field(default_factory=list)  # (frame row, column, length) over CSV_FIELD_LIMIT


HeaderScore = Callable[[list], float]


def read_tables(data: bytes, file_name: str, *, header_score: HeaderScore | None = None) -> tuple[list[RawTable], list[UploadProblem]]:
    """Every table in one uploaded file, and notes (warnings) about how it was read.

    Raises FileRejected when the file as a whole cannot be read.
    """
    name = re.split(r"[\\/]", file_name)[-1] or file_name
    if len(data) == 0:
        raise _reject(name, "empty_file")
    limit = max_upload_bytes()
    if len(data) > limit:
        raise _reject(name, "too_large", size_mb=_mb(len(data)), limit_mb=_mb(limit))
    ext = _extension(name)
    if ext in SHAPEFILE_PARTS:
        raise _reject(name, "shapefile_not_zipped", ext=ext)
    if ext == ".et":
        raise _reject(name, "old_excel", ext=ext)
    if ext not in SUPPORTED_EXTENSIONS:
        raise _reject(name, "unsupported_type", ext=ext or "—", supported=" ".join(SUPPORTED_EXTENSIONS))
    problems: list[UploadProblem] = []
    tables = _read(data, name, ext, header_score, problems)
    return tables, problems


# --- helpers ---------------------------------------------------------------------------------------


def _reject(file: str, key: str, *, sheet: str | None = None, **params) -> FileRejected:
    return FileRejected(UploadProblem(file=file, key=key, params=params, sheet=sheet))


def _mb(size: int) -> str:
    return f"{size / MB:.1f}"


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What the bytes look like. Labels are format names, shown to the user as they are.
_EXPECTED = {
    ".xlsx": ("XLSX",), ".xlsm": ("XLSX",),
    ".xls": ("XLS", "XLSX"), ".xlsb": ("XLSX",), ".ods": ("ODS",),  # WPS saves .xlsx content as .xls, too
    ".csv": ("CSV",), ".txt": ("CSV",),
    ".geojson": ("JSON",), ".json": ("JSON",),
    ".gpkg": ("GPKG",),
    ".kml": ("KML",),
    ".kmz": ("ZIP", "KMZ"), ".zip": ("ZIP", "KMZ"),
}


def _looks_like(data: bytes) -> str | None:
    """A format label for the bytes ("XLSX", "XLS", "ZIP", "GPKG", "PDF", "HTML", "KML", "XML", "JSON",
    "CSV", "RAR", "7Z") or None when they look like no known format."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            return "BROKEN_ZIP"  # reported as a broken zip or a broken workbook, by extension
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "XLSX"
        if "mimetype" in names and "content.xml" in names:
            return "ODS"
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "DOCX"
        if any(n.lower().endswith(".kml") for n in names) and not any(n.lower().endswith(".shp") for n in names):
            return "KMZ"
        return "ZIP"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "XLS"
    if data[:16] == b"SQLite format 3\x00":
        return "GPKG"
    if data[:5] == b"%PDF-":
        return "PDF"
    if data[:4] == b"Rar!":
        return "RAR"
    if data[:6] == b"7z\xbc\xaf\x27\x1c":
        return "7Z"
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    else:
        if b"\x00" in head:
            return None
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n").lower()
    kml_at, html_at = text.find("<kml", 0, 2000), text.find("<html", 0, 1000)
    if text.startswith("<") and kml_at >= 0 and (html_at < 0 or kml_at < html_at):
        return "KML"  # (a description may hold an HTML table: the <kml> root comes first)
    if text.startswith("<!doctype html") or text.startswith("<html") or ("<html" in text[:1000] and text.startswith("<")):
        return "HTML"
    if text.startswith("<?xml") or text.startswith("<"):
        return "XML" if "<table" not in text else "HTML"
    if text.startswith("{") or text.startswith("["):
        return "JSON"
    return "CSV"


def _check_content(data: bytes, name: str, ext: str) -> None:
    if data[:2] == b"PK":
        _check_zip_directory(data, name)  # before zipfile builds one object per member
    looks = _looks_like(data)
    if looks == "BROKEN_ZIP":
        if ext in EXCEL_EXTENSIONS:
            raise _reject(name, "broken_excel", reason="zip")
        looks = "ZIP"
    if looks in _EXPECTED[ext]:
        return
    if ext in EXCEL_EXTENSIONS and looks == "XLS":
        return  # an .xls renamed .xlsx (or an encrypted workbook): calamine tries, see _read
    if looks is None:
        raise _reject(name, "wrong_content_unknown", ext=ext)
    raise _reject(name, "wrong_content", ext=ext, looks_like=looks)


def _read(data: bytes, name: str, ext: str, header_score: HeaderScore | None, problems: list[UploadProblem]) -> list[RawTable]:
    _check_content(data, name, ext)
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06") and ext not in (".zip", ".kmz"):
        check_container(data, name)  # a workbook (.xlsx, .ods) is a zip too: its limits before any parser opens it
    if ext in EXCEL_EXTENSIONS and _looks_like(data) == "XLS":
        try:
            tables = read_calamine(data, name, header_score)
        except FileRejected as rejected:  # most often a password: Excel encrypts .xlsx into this container
            raise _reject(name, "excel_old_or_encrypted", ext=ext) from rejected
    elif ext in EXCEL_EXTENSIONS:
        tables = read_calamine(data, name, header_score) if XLSX_READER == "calamine" else _read_excel(data, name, header_score)
    elif ext in CALAMINE_EXTENSIONS:
        tables = read_calamine(data, name, header_score)
    elif ext in TEXT_EXTENSIONS:
        tables = _read_text(data, name, header_score, problems)
    elif ext in (".zip", ".kmz"):
        tables = _read_zip(data, name, header_score, problems)
    else:
        tables = _read_geodata(data, name, ext)
    if not tables:
        raise _reject(name, "no_rows")
    return tables


# --- tables: header row, column names, empty rows ---------------------------------------------------


_NUMBER = re.compile(r"^[\s+\-]*[\d,.，。%]+\s*$")


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and np.isnan(value))


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not _NUMBER.match(value)


def find_header_row(rows: list[list], header_score: HeaderScore | None = None) -> int | None:
    """Index (0-based) of the header among `rows` (the first HEADER_SEARCH_ROWS are searched).

    With `header_score`: the best-scoring non-empty row, ties to the earliest. Without: the first
    row whose text cells number at least HEADER_MIN_SHARE of the widest row's filled cells and at
    least 2; failing that, the first non-empty row. None when every row is empty.
    """
    candidates = [(i, row) for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(not _is_blank(v) for v in row)]
    if not candidates:
        return None
    if header_score is not None:
        best_index, best_score = candidates[0][0], None
        for i, row in candidates:
            score = header_score(list(row))
            if best_score is None or score > best_score:
                best_index, best_score = i, score
        return best_index
    widest = max(sum(not _is_blank(v) for v in row) for _, row in candidates)
    for i, row in candidates:
        texts = sum(_is_text(v) for v in row)
        if texts >= 2 and texts >= HEADER_MIN_SHARE * widest:
            return i
    return candidates[0][0]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _header_text(value) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def unique_names(names: list[str]) -> list[str]:
    """Make column names unique by suffixing " (2)", " (3)" … to repeats, in order."""
    taken = set(names)
    seen: Counter = Counter()
    out = []
    for name in names:
        seen[name] += 1
        if seen[name] == 1:
            out.append(name)
            continue
        n = seen[name]
        candidate = f"{name} ({n})"
        while candidate in taken:
            n += 1
            candidate = f"{name} ({n})"
        taken.add(candidate)
        out.append(candidate)
    return out


def _finish(file: str, sheet: str | None, header_index: int, header: list, body: pd.DataFrame, empty: np.ndarray) -> RawTable | None:
    """Name the columns, drop columns with neither header nor data and rows with no data."""
    width = body.shape[1]
    header = list(header) + [None] * (width - len(header))
    names = [_header_text(v) for v in header[:width]]
    has_data = ~empty.all(axis=0) if len(body) else np.zeros(width, dtype=bool)
    keep_cols = np.array([bool(n) for n in names], dtype=bool) | has_data
    if not keep_cols.any():
        return None
    keep_rows = ~empty[:, keep_cols].all(axis=1) if len(body) else np.zeros(0, dtype=bool)
    if not keep_rows.any():
        return None
    names = [n or f"({_column_letter(i)})" for i, n in enumerate(names)]
    col_idx = np.flatnonzero(keep_cols)
    frame = body.iloc[np.flatnonzero(keep_rows), col_idx].reset_index(drop=True)
    frame.columns = unique_names([names[i] for i in col_idx])
    header_row = header_index + 1
    row_numbers = (header_row + 1 + np.flatnonzero(keep_rows)).tolist()
    return RawTable(file=file, sheet=sheet, header_row=header_row, frame=frame, row_numbers=row_numbers)


# --- Excel ------------------------------------------------------------------------------------------


_EXCEL_PLAIN = (str, int, float, bool, dt.datetime, dt.date, dt.time, dt.timedelta, type(None))


def _excel_cell(value):
    if isinstance(value, _EXCEL_PLAIN):
        return value
    return str(getattr(value, "text", value))  # ArrayFormula / DataTableFormula -> their "=..." text


def _read_excel(data: bytes, name: str, header_score: HeaderScore | None) -> list[RawTable]:
    import openpyxl

    try:
        with warnings.catch_warnings():  # "Data Validation extension is not supported" and the like
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _reject(name, "broken_excel", reason=_short(f"{type(error).__name__}: {error}")) from error
    tables = []
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            def rows(sheet=sheet):
                sheet.reset_dimensions()  # the stored dimension is often wrong; read what is there
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    yield from sheet.iter_rows(values_only=True)

            table = _sheet_table(rows, name, sheet.title, header_score)
            if table is not None:
                tables.append(table)
    finally:
        workbook.close()
    return tables


def read_calamine(data: bytes, name: str, header_score: HeaderScore | None = None) -> list[RawTable]:
    """Every visible sheet of an .xls, .xlsb, .ods (or .xlsx) workbook, read with python-calamine (Rust).

    Rows keep their numbers (the empty rows above the data are kept), cells come as Python
    values (text, int/float, date/datetime/time/timedelta, bool) and empty cells as None. A formula cell
    gives its last computed value. The .xlsx upload path stays on openpyxl, which sees formulas as written
    (and refuses them): see benchmarks/README.md for what calamine would gain there."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - calamine reports damage, passwords and unknown formats alike
        key = "excel_old_or_encrypted" if isinstance(error, python_calamine.PasswordError) else "broken_excel"
        raise _reject(name, key, ext=_extension(name), reason=_short(f"{type(error).__name__}: {error}")) from error
    tables = []
    try:
        for meta in workbook.sheets_metadata:
            if meta.visible != python_calamine.SheetVisibleEnum.Visible or meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            def rows(sheet_name=meta.name):
                for row in workbook.get_sheet_by_name(sheet_name).iter_rows():
                    yield [None if v == "" else v for v in row]

            table = _sheet_table(rows, name, meta.name, header_score)
            if table is not None:
                tables.append(table)
    finally:
        workbook.close()
    return tables


def _sheet_table(rows: Callable[[], Iterable], name: str, sheet: str, header_score: HeaderScore | None) -> RawTable | None:
    """One sheet read by either reader (`rows` yields its rows): through the cell budget of `sheet_rows`, and
    a reader's own failure as a broken workbook naming the sheet."""
    try:
        read = sheet_rows(rows(), name, sheet)
    except FileRejected:
        raise
    except Exception as error:  # noqa: BLE001 - the readers report damage in many ways
        raise _reject(name, "broken_excel", sheet=sheet, reason=_short(f"{type(error).__name__}: {error}")) from error
    return _excel_table(read, name, sheet, header_score)


def sheet_rows(rows, name: str, sheet: str) -> list[list]:
    """A sheet's rows as lists, without their trailing empty cells, refused (FileRejected "sheet_too_large")
    once rows x the widest row pass SHEET_MAX_CELLS: one cell far to the right (column XFD) on every row
    would otherwise make a table of billions of empty cells out of a few megabytes of XML."""
    out: list[list] = []
    widest = 0
    for row in rows:
        if len(out) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _reject(name, "too_many_rows", sheet=sheet, limit=f"{MAX_ROWS:,}")
        row = list(row)
        while row and _is_blank(row[-1]):
            row.pop()
        widest = max(widest, len(row))
        out.append(row)
        if widest * len(out) > SHEET_MAX_CELLS:
            raise _reject(name, "sheet_too_large", sheet=sheet, sheet_name=sheet, rows=f"{len(out):,}", columns=f"{widest:,}",
                          limit=f"{SHEET_MAX_CELLS:,}")
    return out


def _excel_table(rows: list[list], name: str, sheet: str, header_score: HeaderScore | None) -> RawTable | None:
    while rows and all(_is_blank(v) for v in rows[-1]):
        rows.pop()
    header_index = find_header_row(rows, header_score)
    if header_index is None:
        return None
    body_rows = rows[header_index + 1:]
    if len(body_rows) > MAX_ROWS:
        raise _reject(name, "too_many_rows", sheet=sheet, limit=f"{MAX_ROWS:,}")
    width = max([len(rows[header_index])] + [len(r) for r in body_rows])
    padded = [[_excel_cell(v) for v in r] + [None] * (width - len(r)) for r in body_rows]
    body = pd.DataFrame(padded, columns=range(width), dtype=object) if padded else pd.DataFrame(columns=range(width), dtype=object)
    empty = np.array([[_is_blank(v) for v in r] for r in padded], dtype=bool).reshape(len(padded), width)
    return _finish(name, sheet, header_index, rows[header_index], body, empty)


# --- CSV / text -------------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding it was read with ("UTF-8", "UTF-16", "GB18030")."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GB18030")]
    first_error = None
    for codec, label in candidates:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError as error:
            first_error = first_error or error
    line = data[: first_error.start].count(b"\n") + 1
    raise _reject(name, "bad_encoding", line=line, encodings=", ".join(label for _, label in candidates))


class _Lines:
    """Iterates over the lines of a text, remembering where the next line starts."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.text):
            raise StopIteration
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end + 1
        line = self.text[self.pos:end]
        self.pos = end
        return line


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the first lines most consistently."""
    sample = text[:65536].split("\n")[:50]
    sample = [line for line in sample if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in (",", "\t", ";"):
        try:
            counts = [len(row) - 1 for row in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        nonzero = [c for c in counts if c > 0]
        if not nonzero:
            continue
        mode, freq = Counter(nonzero).most_common(1)[0]
        if (freq, mode) > best_score:
            best, best_score = delimiter, (freq, mode)
    return best


def _read_text(data: bytes, name: str, header_score: HeaderScore | None, problems: list[UploadProblem]) -> list[RawTable]:
    text, encoding = _decode(data, name)
    if encoding != "UTF-8":
        problems.append(UploadProblem(file=name, key="encoding_detected", params={"encoding": encoding}, severity="info"))
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise _reject(name, "wrong_content_unknown", ext=_extension(name))
    delimiter = sniff_delimiter(text)
    # The csv module refuses a field over its limit (131,072 characters) as if the quotes were broken. A cell
    # that long is read here and reported by row and column instead (RawTable.long_cells). The limit is
    # process-wide: it is only ever raised, never lowered, so no other reader in another thread trips on it.
    if csv.field_size_limit() <= len(text):
        csv.field_size_limit(len(text) + 1)

    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    head: list[list] = []
    starts: list[int] = []
    try:
        while len(head) < HEADER_SEARCH_ROWS:
            start = lines.pos
            try:
                record = next(reader)
            except StopIteration:
                break
            starts.append(start)
            head.append(record)
    except csv.Error as error:
        raise _reject(name, "broken_csv", line=len(head) + 1, reason=_short(str(error))) from error
    header_index = find_header_row(head, header_score)
    if header_index is None:
        return []
    rest = text[starts[header_index]:]
    if rest.count("\n") > MAX_ROWS + 1 and sum(1 for _ in csv.reader(_Lines(rest), delimiter=delimiter)) > MAX_ROWS + 1:
        raise _reject(name, "too_many_rows", limit=f"{MAX_ROWS:,}")  # counted before pandas holds them all
    try:
        frame = pd.read_csv(io.StringIO(rest), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, quotechar='"', engine="c")
    except pd.errors.EmptyDataError:
        return []
    except pd.errors.ParserError:
        # ragged rows (more fields than the header): the csv module copes, a little slower
        try:
            records = list(csv.reader(_Lines(rest), delimiter=delimiter))
        except csv.Error as error:
            raise _reject(name, "broken_csv", line=header_index + 1, reason=_short(str(error))) from error
        width = max(len(r) for r in records)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in records], columns=range(width), dtype=str)
    frame = frame.fillna("")
    header = list(frame.iloc[0]) if len(frame) else []
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    empty = np.column_stack([body[c].str.strip().eq("").to_numpy(dtype=bool) for c in body.columns]) if body.shape[1] else np.zeros((len(body), 0), dtype=bool)
    if empty.ndim == 1:
        empty = empty.reshape(len(body), -1)
    table = _finish(name, None, header_index, header, body, empty)
    if table is None:
        return []
    for column in table.frame.columns:
        lengths = table.frame[column].str.len().to_numpy()
        table.long_cells += [(int(i), column, int(lengths[i])) for i in np.flatnonzero(lengths > CSV_FIELD_LIMIT)]
    return [table]


# --- geodata ----------------------------------------------------------------------------------------


def _geo_tables(path: Path, name: str, *, sheet_name: str | None = None, encoding: str | None = None, kml: bool = False) -> list[RawTable]:
    """Every layer with features of one geodata file on disk."""
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
    except Exception as error:  # noqa: BLE001 - GDAL reports all kinds of damage as DataSourceError
        raise _reject(name, "broken_geodata", reason=_short(str(error))) from error
    tables = []
    for layer_name, _geometry_type in layers:
        try:
            features = pyogrio.read_info(path, layer=layer_name, encoding=encoding).get("features", 0)
        except Exception:  # noqa: BLE001 - reading reports the damage below
            features = 0
        if features > MAX_ROWS:
            raise _reject(name, "too_many_rows", sheet=str(layer_name), limit=f"{MAX_ROWS:,}")
        try:
            frame = pyogrio.read_dataframe(path, layer=layer_name, encoding=encoding)
        except Exception as error:  # noqa: BLE001
            raise _reject(name, "broken_geodata", sheet=str(layer_name), reason=_short(str(error))) from error
        if len(frame) == 0:
            continue
        geometry = crs = None
        if "geometry" in frame.columns and hasattr(frame, "geometry"):
            geometry = frame.geometry.reset_index(drop=True)
            crs = frame.crs
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        frame = _lists_as_text(frame.reset_index(drop=True))
        if kml:
            frame = _drop_kml_housekeeping(frame)
        frame.columns = unique_names([str(c).strip() for c in frame.columns])
        tables.append(RawTable(
            file=name,
            sheet=sheet_name if sheet_name is not None and len(layers) == 1 else str(layer_name),
            header_row=None,
            frame=frame,
            row_numbers=list(range(1, len(frame) + 1)),
            geometry=geometry,
            crs=crs,
        ))
    return tables


def _lists_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """GeoJSON arrays (GDAL's string lists, read as numpy arrays) as the text staff write: "a、b"."""
    for column in frame.columns:
        cells = frame[column]
        if cells.dtype != object or not cells.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            continue
        frame[column] = cells.map(lambda v: ("、".join(str(x) for x in v) or None)
                                  if isinstance(v, (list, tuple, np.ndarray)) else v)
    return frame


def _drop_kml_housekeeping(frame: pd.DataFrame) -> pd.DataFrame:
    drop = [c for c in _KML_STYLE_COLUMNS if c in frame.columns]
    for column in _KML_OPTIONAL_COLUMNS:
        if column in frame.columns and frame[column].map(lambda v: _is_blank(v) or v is pd.NaT).all():
            drop.append(column)
    return frame.drop(columns=drop)


def _stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[:dot] if dot > 0 else base


_UNSAFE_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_kml(data: bytes, name: str) -> None:
    """No DTDs or entities: they serve nothing in KML and are the door for entity-expansion attacks."""
    probe = data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        probe = data.decode("utf-16", errors="ignore").encode("utf-8")
    if _UNSAFE_XML.search(probe):
        raise _reject(name, "unsafe_xml")


def _read_geodata(data: bytes, name: str, ext: str) -> list[RawTable]:
    if ext == ".kml":
        _check_kml(data, name)
    disk_ext = ".geojson" if ext == ".json" else ext
    with tempfile.TemporaryDirectory(prefix="heatmap-upload-") as tmp:
        path = Path(tmp) / f"upload{disk_ext}"
        path.write_bytes(data)
        single_layer_name = _stem(name) if ext in (".geojson", ".json") else None
        tables = _geo_tables(path, name, sheet_name=single_layer_name, kml=ext == ".kml")
    if ext == ".kml":
        _kml_attributes_into(tables, data)
    return tables


# --- KML attributes ---------------------------------------------------------------------------------
# GDAL reads a Placemark's geometry well, but its attributes less so: LIBKML turns every <Data name="载体编号">
# (a Chinese name, as Google Earth and 奥维 write them) into a column of underscores, all such names into
# the same one; and the attribute table ArcGIS writes into <description> stays one HTML blob. So the
# attributes are read from the XML here (DTDs and entities were refused before), one dict per Placemark.

_KML_CONTAINERS = ("Document", "Folder")
_HTML_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr\s*>", re.IGNORECASE | re.DOTALL)
_HTML_CELL = re.compile(r"<(t[dh])\b[^>]*>(.*?)</t[dh]\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _html_text(fragment: str) -> str:
    import html

    return " ".join(html.unescape(_HTML_TAG.sub(" ", fragment)).split())


def description_table(text: str | None) -> dict[str, str]:
    """The two-column rows (name, value) of an HTML table in a KML description, as ArcGIS writes them."""
    if not isinstance(text, str) or "<t" not in text.lower():
        return {}
    pairs = {}
    for row in _HTML_ROW.findall(text):
        cells = _HTML_CELL.findall(row)
        if len(cells) != 2 or all(kind.lower() == "th" for kind, _ in cells):
            continue  # a title spanning the table, or the table's own header row
        key, value = _html_text(cells[0][1]), _html_text(cells[1][1])
        if key:
            pairs[key] = value or None
    return pairs


def _placemark_attributes(placemark) -> tuple[str | None, dict[str, str | None], bool]:
    """A Placemark's id, its attributes (ExtendedData Data/SimpleData, then its description's table), and
    whether the description was such a table."""
    attributes: dict[str, str | None] = {}
    from_table = False
    for element in placemark:
        tag = _local(element.tag)
        if tag == "ExtendedData":
            for item in element.iter():
                kind = _local(item.tag)
                key = (item.get("name") or "").strip()
                if not key:
                    continue
                if kind == "Data":
                    value = next((v.text for v in item if _local(v.tag) == "value"), None)
                elif kind == "SimpleData":
                    value = item.text
                else:
                    continue
                attributes[key] = value.strip() if isinstance(value, str) and value.strip() else None
        elif tag == "description":
            table = description_table("".join(element.itertext()))
            from_table = bool(table)
            for key, value in table.items():
                attributes.setdefault(key, value)
    return placemark.get("id"), attributes, from_table


def _kml_placemarks(data: bytes) -> list[list[tuple[str | None, dict, bool]]] | None:
    """The Placemarks' attributes grouped by their container (Document or Folder), in document order —
    the order GDAL gives its layers and their features. None when the XML does not parse."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    groups: list[list[tuple[str | None, dict, bool]]] = []

    def walk(element, group: list | None) -> None:
        for child in element:
            tag = _local(child.tag)
            if tag in _KML_CONTAINERS:
                inner: list = []
                groups.append(inner)
                walk(child, inner)
            elif tag == "Placemark":
                if group is None:
                    group = []
                    groups.append(group)
                group.append(_placemark_attributes(child))
            else:
                walk(child, group)

    walk(root, None)
    return [g for g in groups if g]


def _kml_attributes_into(tables: list[RawTable], data: bytes) -> None:
    """Put each Placemark's attributes in its table row, as columns named as written. Placemarks are
    matched to GDAL's features by container and order (checked by count); where that does not fit, by
    the Placemark id when every one has its own. The feature id is the KML element's, never the carrier's
    code, and columns GDAL could only name with underscores go."""
    groups = _kml_placemarks(data)
    if groups is None:
        return
    rows: list[list[tuple[str | None, dict, bool]]] | None = None
    if [len(g) for g in groups] == [len(t.frame) for t in tables]:
        rows = groups
    else:
        placemarks = [p for g in groups for p in g]
        ids = [p[0] for p in placemarks]
        if all(ids) and len(set(ids)) == len(ids) and all("id" in t.frame.columns for t in tables):
            by_id = dict(zip(ids, placemarks))
            rows = [[by_id.get(str(v), (None, {}, False)) for v in t.frame["id"]] for t in tables]
    for table, placemarks in zip(tables, rows or [[] for _ in tables]):
        frame = table.frame
        if placemarks:
            names: list[str] = []
            for _, attributes, _ in placemarks:
                names += [k for k in attributes if k not in names]
            for key in names:
                frame[key] = [a.get(key) for _, a, _ in placemarks]
            if "description" in frame.columns:
                frame["description"] = [None if is_table else d for d, (_, _, is_table) in zip(frame["description"], placemarks)]
        drop = [c for c in frame.columns if c == "id" or (c and set(str(c)) <= {"_"})]
        if "description" in frame.columns and frame["description"].map(_is_blank).all():
            drop.append("description")
        table.frame = frame.drop(columns=drop)
        table.frame.columns = unique_names([str(c).strip() for c in table.frame.columns])


# --- zip: Shapefiles (and other readable files) -----------------------------------------------------


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the user wrote it: zips made on Chinese Windows store GBK without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for codec in ("utf-8", "gb18030"):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                continue
    return name


def _unsafe(name: str) -> bool:
    path = name.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or "\x00" in path:
        return True
    return any(part == ".." for part in path.split("/"))


def _dbf_encoding(path: Path) -> str:
    """The DBF's text encoding when no .cpg says it: UTF-8 when its text is valid UTF-8, else GB18030
    (GBK, what Chinese Windows tools write). The field names and the records are checked."""
    data = path.read_bytes()
    if len(data) < 32:
        return "UTF-8"
    header_length = int.from_bytes(data[8:10], "little")
    names = b"".join(data[i:i + 11].split(b"\x00", 1)[0] for i in range(32, min(header_length, len(data)) - 1, 32))
    try:
        names.decode("utf-8")
        data[header_length:].decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030"
    return "UTF-8"


class _Budget:
    """Bytes still allowed out of one zip: stops extraction whatever the headers declare."""

    def __init__(self, name: str, total: int):
        self.name = name
        self.left = total

    def copy(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, out) -> None:
        written = 0
        try:
            with zf.open(info) as source:
                while True:
                    chunk = source.read(1024 * 1024)
                    if not chunk:
                        break
                    written += len(chunk)
                    self.left -= len(chunk)
                    if written > info.file_size or self.left < 0:
                        raise _reject(self.name, "zip_bomb", limit_mb=_mb(ZIP_MAX_TOTAL_BYTES))
                    out.write(chunk)
        except FileRejected:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as error:
            raise _reject(self.name, "broken_zip", reason=_short(f"{type(error).__name__}: {error}")) from error

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        buffer = io.BytesIO()
        self.copy(zf, info, buffer)
        return buffer.getvalue()


def _zip_directory_size(data: bytes) -> tuple[int, int] | None:
    """(members, bytes) of the zip's central directory as its end record declares them (ZIP64 too), read
    from the last bytes without parsing the directory; None when there is no end record."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    members = int.from_bytes(data[end + 10:end + 12], "little")
    size = int.from_bytes(data[end + 12:end + 16], "little")
    locator = end - 20
    if (members == 0xFFFF or size == 0xFFFFFFFF) and locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":
        record = int.from_bytes(data[locator + 8:locator + 16], "little")
        if data[record:record + 4] == b"PK\x06\x06":
            members = int.from_bytes(data[record + 32:record + 40], "little")
            size = int.from_bytes(data[record + 40:record + 48], "little")
    return members, size


def _check_zip_directory(data: bytes, name: str) -> None:
    """A zip declaring more members than ZIP_MAX_MEMBERS, or a larger directory than they need, is refused
    before Python's zipfile reads the directory (it holds one object per member: millions of tiny members
    in a 200 MB upload would take gigabytes)."""
    declared = _zip_directory_size(data)
    if declared is None:
        return  # not a zip after all, or a broken one: the readers say which
    members, size = declared
    if members > ZIP_MAX_MEMBERS or size > ZIP_MAX_DIRECTORY_BYTES:
        raise _reject(name, "zip_too_many_members", members=f"{members:,}", limit=f"{ZIP_MAX_MEMBERS:,}")


def _check_members(infos: list[zipfile.ZipInfo], name: str, total_limit: int, key: str = "zip_bomb") -> None:
    """The decompression limits: the members' count, their uncompressed total, each large member's ratio.
    Every zip-based upload passes here before anything is extracted or parsed."""
    if len(infos) > ZIP_MAX_MEMBERS:
        raise _reject(name, "zip_too_many_members", members=f"{len(infos):,}", limit=f"{ZIP_MAX_MEMBERS:,}")
    total = sum(info.file_size for info in infos)
    if total > total_limit:
        raise _reject(name, key, size_mb=_mb(total), limit_mb=_mb(total_limit))
    for info in infos:
        if info.file_size > ZIP_RATIO_MIN_BYTES and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise _reject(name, key, size_mb=_mb(total), limit_mb=_mb(total_limit))


def check_container(data: bytes, name: str) -> None:
    """Decompression limits for a workbook (.xlsx, .xlsm, .ods — any zip-based file but .zip and .kmz, which
    `_open_zip` checks): the member count, PARSED_MAX_TOTAL_BYTES uncompressed, the ratio. Checked on the
    zip's directory alone, so they hold whichever parser then opens the file. A damaged directory is left
    to the parser to report (as a broken workbook)."""
    _check_zip_directory(data, name)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        return
    _check_members(infos, name, PARSED_MAX_TOTAL_BYTES, key="workbook_bomb")


def _open_zip(data: bytes, name: str) -> tuple[zipfile.ZipFile, list[tuple[str, zipfile.ZipInfo]]]:
    _check_zip_directory(data, name)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise _reject(name, "broken_zip", reason=_short(f"{type(error).__name__}: {error}")) from error
    if len(infos) > ZIP_MAX_MEMBERS:
        raise _reject(name, "zip_too_many_members", members=f"{len(infos):,}", limit=f"{ZIP_MAX_MEMBERS:,}")
    members = []
    for info in infos:
        member = _member_name(info)
        if _unsafe(member) or _unsafe(info.filename):
            raise _reject(name, "zip_unsafe_path", name=_short(member, 120))
        if info.is_dir() or _ZIP_JUNK.search(member.replace("\\", "/")):
            continue
        if info.flag_bits & 0x1:
            raise _reject(name, "zip_encrypted")
        members.append((member.replace("\\", "/"), info))
    _check_members([info for _, info in members], name, ZIP_MAX_TOTAL_BYTES)
    return zf, members


def _read_zip(data: bytes, name: str, header_score: HeaderScore | None, problems: list[UploadProblem]) -> list[RawTable]:
    zf, members = _open_zip(data, name)
    shapefiles: dict[str, dict[str, tuple[str, zipfile.ZipInfo]]] = {}
    others: list[tuple[str, zipfile.ZipInfo]] = []
    for member, info in members:
        ext = _extension(member.rsplit("/", 1)[-1])
        if ext in SHAPEFILE_PARTS:
            shapefiles.setdefault(member[: len(member) - len(ext)].lower(), {})[ext] = (member, info)
        elif ext in _ZIP_INNER_READABLE:
            others.append((member, info))
    layers = {stem: parts for stem, parts in shapefiles.items() if ".shp" in parts}
    # the other members are read into memory and parsed there: the tighter limit holds for them together
    _check_members([info for _, info in others], name, PARSED_MAX_TOTAL_BYTES)
    if not layers and not others:
        orphans = [parts for parts in shapefiles.values()]
        if orphans:  # .dbf/.shx without their .shp
            member = next(iter(orphans[0].values()))[0]
            raise _reject(f"{name}/{member}", "shapefile_incomplete", missing=".shp")
        listing = ", ".join(m for m, _ in members[:10]) + (" …" if len(members) > 10 else "")
        raise _reject(name, "zip_no_shapefile", files=listing or "—")

    budget = _Budget(name, ZIP_MAX_TOTAL_BYTES)
    tables: list[RawTable] = []
    failures: list[FileRejected] = []
    with zf, tempfile.TemporaryDirectory(prefix="heatmap-upload-") as tmp:
        for index, (_stem_key, parts) in enumerate(sorted(layers.items())):
            shp_member = parts[".shp"][0]
            display = f"{name}/{shp_member}"
            missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
            if missing:
                failures.append(_reject(display, "shapefile_incomplete", missing=", ".join(missing)))
                continue
            base = Path(tmp) / f"layer{index}"
            for ext, (_member, info) in parts.items():
                with open(base.with_suffix(ext), "wb") as out:
                    budget.copy(zf, info, out)
            encoding = None
            if ".cpg" not in parts:
                encoding = _dbf_encoding(base.with_suffix(".dbf"))
                if encoding != "UTF-8":
                    problems.append(UploadProblem(file=display, key="shapefile_encoding_assumed",
                                                  params={"encoding": encoding}, severity="warning"))
            try:
                tables.extend(_geo_tables(base.with_suffix(".shp"), display, sheet_name=_stem(shp_member), encoding=encoding))
            except FileRejected as rejected:
                failures.append(rejected)
        for member, info in others:
            display = f"{name}/{member}"
            inner = budget.read(zf, info)
            try:
                if not inner:
                    raise _reject(display, "empty_file")
                tables.extend(_read(inner, display, _extension(member), header_score, problems))
            except FileRejected as rejected:
                failures.append(rejected)
    if failures and not tables:
        raise failures[0]
    problems.extend(f.problem for f in failures)
    return tables
