"""Two people write at once, on both stores: nothing is silently overwritten, and the history replayed
from the first version always equals the tables.

The rule (README, "When two people upload at once"): writers of carriers take turns; a commit is checked
against what its preview was computed from. If a record it touches was written since, the page's commit is
refused with a clear message and shows the fresh preview; the command line reads the file again and
commits what the file really changes on the data as it now is.
"""
import datetime as dt
import os
import random
import subprocess
import sys
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from heatmap.ingest import pipeline
from heatmap.model import ValidationError
from heatmap.store import ENTITIES, Conflict, StoreBusy
from heatmap.store.rows import _same

TODAY = dt.date(2026, 11, 28)
N = 300


def rows(n: int = N, *, rent: float = 20.0, vacant: float = 500.0, prefix: str = "LH-P") -> list[dict]:
    return [
        {"载体编号": f"{prefix}{i:04d}", "载体名称": f"浏河厂房{i}号", "建筑面积(㎡)": 2000 + i, "空置面积": vacant,
         "状态": "可租售", "租金": rent, "经度": 121.26 + (i % 50) * 2e-4, "纬度": 31.51 + (i // 50) * 1e-4}
        for i in range(n)
    ]


def csv(records: list[dict], columns: list[str] | None = None) -> bytes:
    frame = pd.DataFrame(records)
    if columns:
        frame = frame[columns]
    return frame.to_csv(index=False).encode("utf-8")


RENTS_ONLY = ["载体编号", "租金"]
VACANT_ONLY = ["载体编号", "空置面积"]


def read(store, data: bytes, name: str = "file.csv"):
    upload = pipeline.read_upload(data, name, kind="plant", store=store, district="liuhe", today=TODAY)
    assert not upload.errors, pipeline.report_frame(upload.errors, "en").to_dict("records")[:3]
    return upload


def load_base(store, n: int = N) -> None:
    upload = read(store, csv(rows(n)), "base.csv")
    version, _ = pipeline.commit(upload, store, user="staff-liuhe")
    assert version


def assert_history_equals_tables(store) -> None:
    """The state replayed from the history is the table, record by record and field by field."""
    for name, entity in ENTITIES.items():
        replayed = store.state_at(name)
        with store.engine.connect() as conn:
            codes = [c for (c,) in conn.execute(sa.select(entity.table.c.code))]
        stored = store.stored_records(name, codes)
        assert set(replayed) == set(stored), name
        for code, record in stored.items():
            for spec in entity.fields:
                assert _same(spec, replayed[code].get(spec.name), record.get(spec.name)), (name, code, spec.name)


def fields_of(store, field: str) -> set:
    return {rec[field] for rec in store.stored_records("carrier", [f"LH-P{i:04d}" for i in range(N)]).values()}


def test_a_commit_whose_preview_went_stale_is_refused_and_writes_nothing(store):
    load_base(store)
    rents = read(store, csv(rows(rent=31.0), RENTS_ONLY), "rents.csv")
    vacancies = read(store, csv(rows(vacant=123.0), VACANT_ONLY), "vacant.csv")
    rents_preview = pipeline.preview(rents, store)
    vacancies_preview = pipeline.preview(vacancies, store)
    assert rents_preview.counts["change"] == N and vacancies_preview.counts["change"] == N

    version, _ = pipeline.commit(rents, store, user="staff-liuhe", previewed=rents_preview)
    assert version
    versions_before = len(store.versions())
    with pytest.raises(Conflict) as refused:
        pipeline.commit(vacancies, store, user="staff-liuhe-2", previewed=vacancies_preview)
    assert refused.value.problems[0].key == "changed_since_preview"
    assert refused.value.problems[0].params["n"] == N
    assert len(store.versions()) == versions_before  # nothing written
    assert fields_of(store, "rent_cny_m2_month") == {31.0} and fields_of(store, "vacant_m2") == {500.0}

    again = read(store, csv(rows(vacant=123.0), VACANT_ONLY), "vacant.csv")  # "preview again"
    fresh = pipeline.preview(again, store)
    assert fresh.counts["change"] == N and all(c.fields == ("vacant_m2",) for c in fresh.of("change"))
    pipeline.commit(again, store, user="staff-liuhe-2", previewed=fresh)
    assert fields_of(store, "rent_cny_m2_month") == {31.0} and fields_of(store, "vacant_m2") == {123.0}
    assert_history_equals_tables(store)


def test_a_commit_without_a_preview_still_checks_what_the_file_was_completed_from(store):
    load_base(store)
    vacancies = read(store, csv(rows(vacant=99.0), VACANT_ONLY))
    pipeline.commit(read(store, csv(rows(rent=40.0), RENTS_ONLY)), store, user="a")
    with pytest.raises(Conflict):
        pipeline.commit(vacancies, store, user="b")  # its records were completed with the old rents
    assert fields_of(store, "rent_cny_m2_month") == {40.0}


def test_replacing_refuses_when_a_record_it_would_remove_appeared_since_the_preview(store):
    load_base(store, 10)
    shorter = read(store, csv(rows(5)))
    shown = pipeline.preview(shorter, store, replace=True)
    assert shown.counts["remove"] == 5
    pipeline.commit(read(store, csv(rows(1, prefix="LH-NEW"))), store, user="colleague")
    with pytest.raises(Conflict):
        pipeline.commit(shorter, store, user="me", replace=True, previewed=shown)
    assert store.record("carrier", "LH-NEW0000") is not None


def test_two_people_adding_the_same_new_codes_at_once_one_commits_the_other_is_told(store):
    first = read(store, csv(rows(50)))
    second = read(store, csv(rows(50, rent=22.0)))
    shown_first, shown_second = pipeline.preview(first, store), pipeline.preview(second, store)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def run(name, upload, shown):
        barrier.wait()
        try:
            outcomes[name] = pipeline.commit(upload, store, user=name, previewed=shown)[0]
        except Exception as error:  # noqa: BLE001 - the test inspects what each writer got
            outcomes[name] = error

    threads = [threading.Thread(target=run, args=("a", first, shown_first)),
               threading.Thread(target=run, args=("b", second, shown_second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    versions = [o for o in outcomes.values() if isinstance(o, int)]
    refusals = [o for o in outcomes.values() if isinstance(o, Exception)]
    assert len(versions) == 1 and len(refusals) == 1, outcomes
    assert isinstance(refusals[0], Conflict) and refusals[0].problems[0].key == "changed_since_preview"
    assert store.count("carrier") == 50
    assert_history_equals_tables(store)


def test_concurrent_command_line_style_imports_keep_both_files_changes(store):
    load_base(store)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(data: bytes):
        def reread():
            upload = read(store, data)
            return upload

        try:
            first = [True]

            def read_once_then_race():
                upload = reread()
                if first[0]:  # both read the same stored state, then race to commit
                    first[0] = False
                    barrier.wait()
                return upload

            pipeline.commit_current(read_once_then_race, store, user="cli")
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=(csv(rows(rent=33.0), RENTS_ONLY),)),
               threading.Thread(target=run, args=(csv(rows(vacant=77.0), VACANT_ONLY),))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert fields_of(store, "rent_cny_m2_month") == {33.0}
    assert fields_of(store, "vacant_m2") == {77.0}
    assert_history_equals_tables(store)


def _hold_write_lock(store, held: threading.Event, release: threading.Event):
    with store.engine.connect() as conn:
        if store.backend == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(sa.text("LOCK TABLE carriers IN EXCLUSIVE MODE"))
        held.set()
        release.wait(30)
        conn.rollback()


def test_a_store_held_by_another_writer_longer_than_the_wait_is_a_clear_refusal(store, monkeypatch):
    load_base(store, 5)
    monkeypatch.setenv("HEATMAP_LOCK_WAIT_S", "0.5")
    upload = read(store, csv(rows(5, rent=50.0)))
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(store, held, release))
    holder.start()
    try:
        assert held.wait(10)
        with pytest.raises(StoreBusy) as busy:
            pipeline.commit(upload, store, user="me")
    finally:
        release.set()
        holder.join(30)
    assert busy.value.problems[0].key == "store_busy"
    from heatmap import i18n

    assert "稍后再试" in i18n.problem_text(busy.value.problems[0], "zh")
    assert fields_of(store, "rent_cny_m2_month") <= {20.0}
    pipeline.commit(read(store, csv(rows(5, rent=50.0))), store, user="me")  # free again: it goes through


def test_any_interleaving_of_imports_and_rollbacks_keeps_history_equal_to_the_tables(store):
    load_base(store, 60)
    rng = random.Random(8)
    errors: list[BaseException] = []

    def worker(seed: int):
        r = random.Random(seed)
        for step in range(6):
            try:
                if r.random() < 0.3:
                    versions = store.versions("carrier")
                    if len(versions) > 1:
                        store.rollback(int(versions["id"].iloc[r.randrange(min(3, len(versions)))]), user=f"w{seed}")
                    continue
                n = r.randrange(20, 60)
                columns = r.choice([RENTS_ONLY, VACANT_ONLY, None])
                data = csv(rows(n, rent=float(r.randrange(10, 90)), vacant=float(r.randrange(0, 900))), columns)
                upload = read(store, data)
                pipeline.commit(upload, store, user=f"w{seed}", replace=r.random() < 0.2)
            except (Conflict, ValidationError):
                pass  # refused as a whole: allowed, and nothing was written
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(rng.randrange(10**6),)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert_history_equals_tables(store)


def test_two_command_line_imports_started_together_both_land(store, tmp_path):
    """Two real processes (`python -m heatmap import`), one changing rents, the other vacant areas."""
    load_base(store, 2000)
    rents, vacancies = tmp_path / "rents.csv", tmp_path / "vacant.csv"
    rents.write_bytes(csv(rows(2000, rent=27.0), RENTS_ONLY))
    vacancies.write_bytes(csv(rows(2000, vacant=66.0), VACANT_ONLY))
    env = os.environ | {"HEATMAP_DATABASE_URL": store.url if store.backend == "sqlite" else str(store.engine.url.render_as_string(hide_password=False)),
                        "HEATMAP_AUTO_SAMPLE": "0"}
    procs = [subprocess.Popen([sys.executable, "-m", "heatmap", "import", str(path), "--kind", "plant",
                               "--district", "liuhe"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for path in (rents, vacancies)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, (out, err)
        assert "Traceback" not in err
    codes = [f"LH-P{i:04d}" for i in range(2000)]
    stored = store.stored_records("carrier", codes)
    assert {r["rent_cny_m2_month"] for r in stored.values()} == {27.0}
    assert {r["vacant_m2"] for r in stored.values()} == {66.0}
    assert_history_equals_tables(store)
