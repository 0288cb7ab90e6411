"""How fast is an upload? Validate and commit 10k and 100k rows (CSV and Excel) and 50k polygons (GeoPackage).

    .venv/bin/python benchmarks/bench_import.py                       # embedded SQLite
    .venv/bin/python benchmarks/bench_import.py --postgres URL        # PostgreSQL with PostGIS
    .venv/bin/python benchmarks/bench_import.py --sizes 10000 --formats csv
    .venv/bin/python benchmarks/bench_import.py --sizes 100000 --formats xlsx,xlsx-calamine
    .venv/bin/python benchmarks/bench_import.py --entity project --sizes 10000 --formats csv,xlsx

"xlsx-calamine" is the same .xlsx read with python-calamine instead of openpyxl (files.XLSX_READER); the
"file read" column is `files.read_tables` alone, the part the reader decides.

Files are written the way district staff's tools write them (pandas to CSV in GBK, openpyxl for Excel,
pyogrio for GeoPackage), with values as people type them (1,200 / 25元/㎡/月 / 2026年7月6日). Each case
runs in a fresh process on an empty store with the districts loaded, so that peak memory (ru_maxrss) is
the case's own. Times: read+check (`pipeline.read_upload`), preview (`pipeline.preview`), commit
(`pipeline.commit`: validation again inside the transaction, one version, history rows).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_rows(n: int, kind: str):
    """n carriers of one district, spread over its cell, with values written as people write them."""
    import numpy as np
    import pandas as pd

    import shapely

    from heatmap import geo

    rng = np.random.default_rng(7)
    lon = 121.23 + rng.uniform(0, 0.08, 3 * n)  # 浏河镇
    lat = 31.48 + rng.uniform(0, 0.07, 3 * n)
    inside = geo.near_taicang_many(shapely.points(lon, lat))  # the district's cell reaches the river
    lon, lat = lon[inside][:n], lat[inside][:n]
    area = rng.integers(800, 40000, n)
    vacant = (area * rng.uniform(0, 1, n)).astype(int)
    frame = pd.DataFrame({
        "载体编号": [f"B-{kind[0].upper()}{i:07d}" for i in range(n)],
        "载体名称": [f"浏河{('厂房' if kind == 'plant' else '地块')}{i}号" for i in range(n)],
        "所属区镇": "浏河镇",
        "地址": [f"浏河镇新闸路{i % 900 + 1}号" for i in range(n)],
        "建筑面积(㎡)" if kind == "plant" else "用地面积(㎡)": [f"{a:,}" for a in area],
        "空置面积": [f"{v}㎡" for v in vacant],
        "状态": np.where(vacant > 0, "可租售", "已满"),
        "核实日期": "2026年7月6日",
    })
    if kind == "plant":
        frame["租金"] = [f"{r}元/㎡/月" for r in rng.integers(15, 40, n)]
        frame["层数"] = rng.integers(1, 5, n)
        frame["经度"], frame["纬度"] = lon.round(6), lat.round(6)
    return frame, lon, lat


def make_projects(n: int):
    """n projects of one district (浏河镇), written as its staff write them: Chinese headers, amounts with
    their units and currencies (5亿元 / 3,000万美元 / USD 30 million), stages and categories as words."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    stages = np.array(["首次接触", "在谈", "签约", "注册", "报批报建", "开工", "投产"])
    categories = np.array(["制造业", "物贸", "研发", "其他"])
    sectors = np.array(["精密机械", "汽车零部件", "航空航天", "新材料", "生物医药", "港口物流", "电子信息"])
    countries = np.array(["德国", "中国", "美国", "日本", "韩国", "法国", "瑞士"])
    amount = rng.integers(500, 200_000, n)
    style = rng.integers(0, 4, n)
    written = np.where(style == 0, [f"{a / 10000:.2f}亿元" for a in amount],
                       np.where(style == 1, [f"{a:,}万美元" for a in amount],
                                np.where(style == 2, [f"USD {a / 100:.1f} million" for a in amount],
                                         [f"{a}万欧元" for a in amount])))
    currency = np.where(style == 0, "人民币", np.where(style == 3, "欧元", "美元"))
    frame = pd.DataFrame({
        "项目编号": [f"LH-XM-{i:07d}" for i in range(n)],
        "项目代号": [f"浏河-{i:05d}" for i in range(n)],
        "项目名称": [f"浏河项目{i}号" for i in range(n)],
        "投资方": [f"示例投资方{i % 3000}有限公司" for i in range(n)],
        "国别": countries[rng.integers(0, len(countries), n)],
        "项目类别": categories[rng.integers(0, len(categories), n)],
        "行业": sectors[rng.integers(0, len(sectors), n)],
        "投资额": written,
        "币种": currency,
        "用地需求(亩)": rng.integers(5, 200, n),
        "面积需求(㎡)": [f"{a:,}" for a in rng.integers(300, 60000, n)],
        "用电需求": [f"{p}kVA" for p in rng.integers(200, 5000, n)],
        "项目进展": stages[rng.integers(0, len(stages), n)],
        "所属区镇": "浏河镇",
        "首谈地": np.where(rng.random(n) < 0.85, "浏河镇", "沙溪镇"),
        "首报人": "浏河镇招商办",
        "首报日期": "2026年7月6日",
    })
    return frame


def write_project_file(fmt: str, n: int, folder: Path) -> Path:
    frame = make_projects(n)
    if fmt.split("-")[0] == "csv":
        path = folder / f"projects-{n}.csv"
        frame.to_csv(path, index=False, encoding="gbk")
    else:
        path = folder / f"projects-{n}.xlsx"
        frame.to_excel(path, index=False, sheet_name="项目")
    return path


def write_file(fmt: str, n: int, folder: Path) -> Path:
    import geopandas as gpd
    import pyogrio
    import shapely

    from heatmap import geo

    if fmt == "gpkg":
        frame, lon, lat = make_rows(n, "land")
        half = 0.0004
        parcels = shapely.box(lon - half, lat - half, lon + half, lat + half)
        inside = geo.near_taicang_many(parcels)  # a parcel on the river bank may reach into the water
        path = folder / f"land-{n}.gpkg"
        layer = gpd.GeoDataFrame(frame[inside], geometry=parcels[inside], crs=4326).to_crs(4549)  # as surveyed
        pyogrio.write_dataframe(layer, path, layer="地块")
        return path
    frame, _, _ = make_rows(n, "plant")
    fmt = fmt.split("-")[0]
    if fmt == "csv":
        path = folder / f"plants-{n}.csv"
        frame.to_csv(path, index=False, encoding="gbk")
    else:
        path = folder / f"plants-{n}.xlsx"
        frame.to_excel(path, index=False, sheet_name="厂房")
    return path


def run_case(fmt: str, n: int, url: str, entity: str = "carrier") -> dict:
    """One case in this process (called in a fresh child by main)."""
    from heatmap import sample
    from heatmap.ingest import files, headers, pipeline
    from heatmap.store import Store

    files.XLSX_READER = "calamine" if fmt.endswith("-calamine") else "openpyxl"

    store = Store(url)
    store.drop_schema()
    store.create_schema()
    store.save_districts(sample.district_records())
    project = entity == "project"
    with tempfile.TemporaryDirectory() as folder:
        path = (write_project_file if project else write_file)(fmt, n, Path(folder))
        data = path.read_bytes()
    kind = None if project else "land" if fmt == "gpkg" else "plant"
    started = time.perf_counter()
    files.read_tables(data, path.name, header_score=pipeline.ENTITIES[entity].header_score)
    file_read_s = time.perf_counter() - started
    started = time.perf_counter()
    upload = pipeline.read_upload(data, path.name, kind=kind, entity=entity, store=store, district="liuhe")
    read_s = time.perf_counter() - started
    assert not upload.errors, [(p.row, p.key) for p in upload.errors[:5]]
    started = time.perf_counter()
    diff = pipeline.preview(upload, store)
    preview_s = time.perf_counter() - started
    started = time.perf_counter()
    version, applied = pipeline.commit(upload, store, user="bench")
    commit_s = time.perf_counter() - started
    n = len(upload.records)  # a few generated parcels fall in the river and are left out of the file
    assert applied.counts["add"] == n and store.count(entity) == n
    store.engine.dispose()
    return {
        "entity": entity, "format": fmt, "rows": n, "backend": store.backend, "file_mb": round(len(data) / 1e6, 1),
        "file_read_s": round(file_read_s, 2), "read_check_s": round(read_s, 2), "preview_s": round(preview_s, 2), "commit_s": round(commit_s, 2),
        "total_s": round(read_s + preview_s + commit_s, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL/PostGIS URL (its tables are dropped and recreated)")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default="csv,xlsx,gpkg")
    parser.add_argument("--entity", choices=("carrier", "project"), default="carrier",
                        help="carriers (plants; land for gpkg) or a district's projects (csv, xlsx)")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # entity:fmt:n:url, run in a child process
    args = parser.parse_args()
    if args.case:
        entity, fmt, n, url = args.case.split(":", 3)
        print(json.dumps(run_case(fmt, int(n), url, entity)))
        return
    cases = []
    for fmt in args.formats.split(","):
        sizes = [50_000] if fmt == "gpkg" else [int(s) for s in args.sizes.split(",")]
        cases += [(fmt, n) for n in sizes]
    print("| records | format | rows | store | file | file read | read + check | preview | commit | total | peak memory |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        for fmt, n in cases:
            out = subprocess.run([sys.executable, __file__, "--case", f"{args.entity}:{fmt}:{n}:{url}"], capture_output=True, text=True,
                                 cwd=REPO)
            if out.returncode:
                print(f"| {fmt} | {n:,} | failed: {out.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"| {r['entity']} | {r['format']} | {r['rows']:,} | {r['backend']} | {r['file_mb']} MB | {r['file_read_s']} s | {r['read_check_s']} s | "
                  f"{r['preview_s']} s | {r['commit_s']} s | **{r['total_s']} s** | {r['peak_mb']:,} MB |", flush=True)


if __name__ == "__main__":
    main()
