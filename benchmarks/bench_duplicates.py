"""How fast is the duplicate check? One new project against 1k, 10k and 50k stored ones; the office's queue at 10k.

    .venv/bin/python benchmarks/bench_duplicates.py
    .venv/bin/python benchmarks/bench_duplicates.py --sizes 10000 --brute     # also: the queue against brute force

Projects come from the sample generator (stages, sectors, amounts, districts as the sample makes them); the
sample's investor names repeat (a few hundred word combinations), so each record gets a name from a larger
invented vocabulary in the sample's style: Chinese names as 行政区划 + 字号 + 行业 + 组织形式, German and other
names as region or family name + trade + legal form, a third of them with a valid credit code. One record in
a hundred is then reported again by another district, written as that district would: the place moved into
brackets (华能新材料科技（太仓）有限公司), the legal form changed, full-width Latin letters, traditional
characters, the amount rounded differently, sometimes only the credit code in common.

Per query: `MatchIndex.find` (what a create, edit or upload does per project, on the index prepared once
per data version); 200 queries, half of them another district's version of a stored project, half new.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from heatmap import sample  # noqa: E402
from heatmap.pipeline import duplicates as dup  # noqa: E402

PLACES = ("太仓", "苏州", "上海", "江苏", "昆山", "无锡", "南京", "常州", "浙江", "深圳", "")
TRADE_CHARS = "华恒盛泰鑫宏瑞德嘉博通达信安康永隆祥和丰源海天金中科创智汇明光远大正新东方"
INDUSTRY = ("新材料科技", "精密机械", "汽车零部件", "电子科技", "生物医药", "物流", "智能装备", "航空科技", "医疗器械", "化工",
            "数据科技", "实业")
FORMS = ("有限公司", "股份有限公司", "科技有限公司", "集团有限公司")
FAMILY = ("Müller", "Schmidt", "Weber", "Fischer", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter",
          "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Krüger", "Hartmann", "Lange", "Werner")
REGIONS = sample.GERMAN_WORDS[0]
TRADES = sample.GERMAN_WORDS[1]
DE_FORMS = ("GmbH", "AG", "GmbH & Co. KG", "SE")
T2S_SAMPLE = str.maketrans("华汇丰达东广电子医药车机恒盛泰鑫宏", "華匯豐達東廣電子醫藥車機恆盛泰鑫宏")


def investor_name(rng: np.random.Generator, country: str) -> str:
    if country == "CN":
        place = PLACES[rng.integers(len(PLACES))]
        trade = "".join(rng.choice(list(TRADE_CHARS), 2))
        return f"{place}{trade}{INDUSTRY[rng.integers(len(INDUSTRY))]}{FORMS[rng.integers(len(FORMS))]}"
    if country == "DE":
        first = FAMILY[rng.integers(len(FAMILY))] if rng.random() < 0.5 else REGIONS[rng.integers(len(REGIONS))]
        second = REGIONS[rng.integers(len(REGIONS))]
        return f"{first} {second} {TRADES[rng.integers(len(TRADES))]} {DE_FORMS[rng.integers(len(DE_FORMS))]}"
    words = sample.OTHER_WORDS.get(country, sample.OTHER_WORDS["US"])
    a, b, c = (w[rng.integers(len(w))] for w in words)
    return f"{a} {FAMILY[rng.integers(len(FAMILY))]} {b} {c}"


def credit_code(rng: np.random.Generator) -> str:
    body = "91320585" + "".join(rng.choice(list(dup._CODE_CHARS), 9))
    return body + dup.credit_code_check_char(body)


def variant(rng: np.random.Generator, record: dict, districts: list[str]) -> dict:
    """The same project as another district writes it down."""
    out = dict(record)
    out["code"] = record["code"] + "-V"
    out["district"] = districts[(districts.index(record["district"]) + 1 + rng.integers(len(districts) - 1)) % len(districts)]
    name = record["investor"]
    how = rng.integers(4)
    if name.isascii():
        out["investor"] = name.upper().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}) if how == 0 else name.replace(" GmbH", " GmbH & Co. KG")
    elif how == 0:
        for place in PLACES[:-1]:
            if name.startswith(place):
                name = name[len(place):]
                for form in FORMS[::-1]:
                    if name.endswith(form):
                        name = f"{name[: -len(form)]}（{place}）{form}"
                        break
                break
        out["investor"] = name
    elif how == 1:
        out["investor"] = name.translate(T2S_SAMPLE)
    elif how == 2:
        out["investor"] = name.replace("股份有限公司", "有限公司") if "股份" in name else name.replace("有限公司", "股份有限公司")
    else:
        out["investor"] = f"太仓市{name}" if not name.startswith("太仓") else name
    out["investment_wan"] = round(float(record["investment_wan"]) * float(rng.uniform(0.9, 1.1)), -1)
    return out


def projects(n: int, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = sample.generate(60, n, history=False)
    records = []
    for p in data.projects:
        p = dict(p)
        country = p["investor_country"]
        investor = investor_name(rng, country)
        product = p["name"][len(p["investor"]):].strip()
        p["investor"] = investor
        p["name"] = f"{investor}{' ' if investor.isascii() else ''}{product}"
        if rng.random() < 1 / 3:
            p[dup.CREDIT_CODE_FIELD] = credit_code(rng)
        records.append(p)
    return pd.DataFrame(records)


def with_duplicates(frame: pd.DataFrame, share: float = 0.01, seed: int = 10) -> tuple[pd.DataFrame, list[frozenset]]:
    rng = np.random.default_rng(seed)
    districts = sorted(frame["district"].unique())
    chosen = rng.choice(len(frame), int(len(frame) * share), replace=False)
    copies = [variant(rng, frame.iloc[i].to_dict(), districts) for i in chosen]
    truth = [frozenset({c["code"][:-2], c["code"]}) for c in copies]
    return pd.concat([frame, pd.DataFrame(copies)], ignore_index=True), truth


def queries(frame: pd.DataFrame, n: int = 200, seed: int = 11) -> list[dict]:
    rng = np.random.default_rng(seed)
    districts = sorted(frame["district"].unique())
    fresh = projects(n // 2, seed=seed + 1).to_dict("records")
    known = [variant(rng, frame.iloc[int(i)].to_dict(), districts) for i in rng.choice(len(frame), n - len(fresh), replace=False)]
    out = []
    for k, q in enumerate([*known, *fresh]):
        q = dict(q)
        q["_of"] = q["code"][:-2] if k < len(known) else None  # the stored record it is a version of
        q["code"] = f"TC-PJ-NEW{k:04d}"
        out.append(q)
    return out


def bench_queries(n: int) -> dict:
    stored = projects(n)
    started = time.perf_counter()
    index = dup.MatchIndex.build(stored)
    build = time.perf_counter() - started
    times, versions, found, fresh, fresh_matched = [], 0, 0, 0, 0
    for q in queries(stored):
        of = q.pop("_of")
        started = time.perf_counter()
        matches = index.find(q)
        times.append(time.perf_counter() - started)
        if of:
            versions += 1
            found += of in {m.code for m in matches}
        else:
            fresh += 1
            fresh_matched += bool(matches)
    times_ms = np.array(times) * 1000
    return {"stored": n, "build_s": build, "median_ms": float(np.median(times_ms)), "p95_ms": float(np.percentile(times_ms, 95)),
            "found": f"{found} of {versions}", "fresh": f"{fresh_matched} of {fresh}"}


def bench_pairs(n: int, brute: bool) -> dict:
    stored, truth = with_duplicates(projects(n))
    index = dup.MatchIndex.build(stored)
    started = time.perf_counter()
    pairs = index.all_pairs()
    elapsed = time.perf_counter() - started
    found = {p.pair for p in pairs}
    out = {"records": len(stored), "seconds": elapsed, "pairs": len(pairs), "planted": len(truth),
           "planted_found": sum(t in found for t in truth)}
    if brute:
        started = time.perf_counter()
        every = {frozenset({q["code"], m.code}) for q in stored.to_dict("records")
                 for m in dup.find_matches(q, index, dup.DEFAULT_RULES | {"max_matches": 1000})}
        out |= {"brute_seconds": time.perf_counter() - started, "brute_pairs": len(every), "missed_by_blocking": len(every - found)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--pairs", type=int, default=10_000, help="stored projects for find_all_pairs (0: skip)")
    parser.add_argument("--brute", action="store_true", help="also match every record against all (checks the blocking)")
    args = parser.parse_args()
    print("| stored projects | build the index | one query: median | p95 | other district's version found | new projects with a match |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        r = bench_queries(n)
        print(f"| {r['stored']:,} | {r['build_s']:.2f} s | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['found']} | {r['fresh']} |")
    if args.pairs:
        r = bench_pairs(args.pairs, args.brute)
        line = (f"\nfind_all_pairs over {r['records']:,} records: {r['seconds']:.2f} s, {r['pairs']:,} pairs, "
                f"{r['planted_found']} of {r['planted']} planted duplicates found")
        if args.brute:
            line += (f"; brute force (every record against all): {r['brute_seconds']:.1f} s, {r['brute_pairs']:,} pairs, "
                     f"{r['missed_by_blocking']} missed by blocking")
        print(line)


if __name__ == "__main__":
    main()
