"""What does a hostile or absurd upload cost before it is refused? Time and peak memory of `pipeline.read_upload`.

    .venv/bin/python benchmarks/bench_hostile.py
    .venv/bin/python benchmarks/bench_hostile.py --cases xlsx_bomb,csv_problems

Each file is written first (in this process), then read in a fresh child process on an empty SQLite store
with the districts loaded, so that the peak memory (ru_maxrss) is the reading's own. Every case must be
refused (the child checks that the upload has errors and cannot be committed) with the expected message.
"""
from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
LIUHE = (121.271956, 31.517044)


def _workbook_bytes(rows=3) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["载体编号", "载体名称", "所属区镇", "建筑面积", "状态", "经度", "纬度"])
    for i in range(rows):
        sheet.append([f"LH-P{i:05d}", f"浏河厂房{i}号", "浏河镇", 1200, "可租售", *LIUHE])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_bomb(path: Path) -> str:
    """A 3 MB workbook whose sheet expands to 440 MB of repeated rows (what the issue measured)."""
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes()))
    row = b'<row><c t="inlineStr"><is><t>LH-P</t></is></c><c><v>1200</v></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, content)
                continue
            head, tail = content.split(b"</sheetData>", 1)
            with target.open(info.filename, "w", force_zip64=True) as out:
                out.write(head)
                chunk = row * (MB // len(row))
                for _ in range(440):
                    out.write(chunk)
                out.write(b"</sheetData>" + tail)
    return "workbook_bomb"


def xlsx_far_cells(path: Path) -> str:
    """A sheet with a cell in column XFD on each of 200,000 rows: a few MB that would be 3 billion cells."""
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes()))
    body = [b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe8\xbd\xbd\xe4\xbd\x93\xe7\xbc\x96\xe5\x8f\xb7</t></is></c></row>']
    for r in range(2, 200_002):
        body.append(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>LH-%d</t></is></c><c r="XFD%d"><v>1</v></c></row>' % (r, r, r, r))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, rest = content.split(b"<sheetData>", 1)
                content = head + b"<sheetData>" + b"".join(body) + b"</sheetData>" + rest.split(b"</sheetData>", 1)[1]
            target.writestr(info.filename, content)
    return "sheet_too_large"


def csv_problems(path: Path, rows: int = 200_000) -> str:
    """200,000 rows (files.MAX_ROWS), each with three unreadable cells: 600,000 problems, a thousand listed."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("载体编号,载体名称,所属区镇,建筑面积(㎡),状态,租金,经度,纬度\n")
        for i in range(rows):
            f.write(f"LH-P{i:07d},浏河厂房{i}号,浏河镇,{i}斤,状态{i},{i}元/吨,{LIUHE[0]},{LIUHE[1]}\n")
    return "problems_omitted"


def csv_rows(path: Path) -> str:
    """A million such rows: more than files.MAX_ROWS, refused before pandas holds them."""
    csv_problems(path, 1_000_000)
    return "too_many_rows"


def zip_members(path: Path) -> str:
    """A zip of 200,000 empty members (the directory alone would be 200,000 Python objects)."""
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(200_000):
            zf.writestr(f"m/{i}.txt", b"")
    return "zip_too_many_members"


def huge_polygon(path: Path) -> str:
    """One parcel of 1,000,000 vertices in GeoJSON."""
    import numpy as np

    n = 1_000_000
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.column_stack([LIUHE[0] + 0.004 * np.cos(angles), LIUHE[1] + 0.004 * np.sin(angles)]).round(7)
    coordinates = ",".join(f"[{x},{y}]" for x, y in ring)
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"载体编号":"LH-L001","载体名称":"浏河地块",'
        '"所属区镇":"浏河镇","用地面积":50000,"状态":"可租售"},"geometry":{"type":"Polygon","coordinates":[['
        + coordinates + f",[{ring[0][0]},{ring[0][1]}]" + "]]}}]}", encoding="utf-8")
    return "too_many_vertices"


CASES = {
    "xlsx_bomb": (xlsx_bomb, "bomb.xlsx", "plant"),
    "xlsx_far_cells": (xlsx_far_cells, "far.xlsx", "plant"),
    "csv_problems": (csv_problems, "problems.csv", "plant"),
    "csv_rows": (csv_rows, "rows.csv", "plant"),
    "zip_members": (zip_members, "members.zip", "plant"),
    "huge_polygon": (huge_polygon, "parcel.geojson", "land"),
}


def run_case(name: str, path: str, expected: str) -> dict:
    """One case in this process (called in a fresh child by main)."""
    from heatmap import sample
    from heatmap.ingest import pipeline
    from heatmap.store import Store

    folder = tempfile.mkdtemp()
    store = Store(f"sqlite:///{folder}/bench.sqlite")
    store.create_schema()
    store.save_districts(sample.district_records())
    data = Path(path).read_bytes()
    kind = CASES[name][2]
    started = time.perf_counter()
    upload = pipeline.read_upload(data, Path(path).name, kind=kind, store=store, district="liuhe")
    seconds = time.perf_counter() - started
    keys = {p.key for p in upload.errors}
    assert not upload.can_commit and expected in keys, sorted(keys)
    return {
        "case": name, "file_mb": round(len(data) / MB, 1), "seconds": round(seconds, 2),
        "errors": upload.error_count, "listed": len(upload.problems),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "message": pipeline.problem_message(next(p for p in upload.errors if p.key == expected), "en"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--case", help=argparse.SUPPRESS)  # name:path:expected, run in a child process
    args = parser.parse_args()
    if args.case:
        name, path, expected = args.case.split(":", 2)
        print(json.dumps(run_case(name, path, expected), ensure_ascii=False))
        return
    print("| case | file | refused in | errors found | problems listed | peak memory | message |")
    print("|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.cases.split(","):
            make, file_name, _kind = CASES[name]
            path = Path(folder) / file_name
            expected = make(path)
            out = subprocess.run([sys.executable, __file__, "--case", f"{name}:{path}:{expected}"], capture_output=True,
                                 text=True, cwd=REPO)
            if out.returncode:
                print(f"| {name} | failed: {out.stderr.strip().splitlines()[-1]} |", flush=True)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"| {r['case']} | {r['file_mb']} MB | {r['seconds']} s | {r['errors']:,} | {r['listed']:,} | "
                  f"{r['peak_mb']:,} MB | {r['message'][:90]} |", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
