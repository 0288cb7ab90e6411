"""Deployments keep their database across releases: a database made by an earlier release (its own code,
taken from git) is upgraded in place by today's, on SQLite and PostGIS, and every record, version and
change survives; the upgraded schema is the one a new database gets."""
import datetime as dt
import subprocess
import sys
import tarfile
import io

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from heatmap import config, migrations
from heatmap.ingest import pipeline
from heatmap.store import Store, metadata

from conftest import skip_or_fail
from test_concurrent_writes import assert_history_equals_tables

# PostGIS columns reflect as a type SQLAlchemy does not know by itself; their values still compare.
pytestmark = pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry'")

# Each release whose database a deployment may still hold: the last commit of that release.
RELEASES = {"2026-11 (before migrations)": "a7f1a56", "2026-12 (migrations 0001-0003)": "1b0ccea",
            "2026-12 pipeline (migrations 0001-0007)": "e0d5fab"}

# Run with the old release's own code: the sample, then an upload, a second upload and its rollback.
BUILD = r"""
import sys, io
import pandas as pd
from heatmap import bootstrap
from heatmap.ingest import pipeline
from heatmap.store import Store

store = Store(sys.argv[1])
store.drop_schema()
store.create_schema()
bootstrap.ensure_database(store, sample_if_empty=False)
bootstrap.load_sample(store, 240, 50, accounts=True)
def upload(rent):
    rows = [{"载体编号": f"MIG-P{i}", "载体名称": f"迁移测试厂房{i}", "建筑面积": 1000 + i, "空置面积": 100,
             "状态": "可租售", "租金": rent, "经度": 121.27 + i / 1000, "纬度": 31.52} for i in range(5)]
    data = pd.DataFrame(rows).to_csv(index=False).encode()
    read = pipeline.read_upload(data, "migration.csv", kind="plant", store=store, district="liuhe")
    assert not read.errors, read.errors
    return pipeline.commit(read, store, user="staff-liuhe")[0]
upload(20)
second = upload(25)
store.rollback(second, user="staff-liuhe", note="undo")
store.add_inquiry({"carrier_code": "MIG-P1", "district": "liuhe", "name": "Anna", "contact": "a@example.com",
                   "message": "Is it free?", "lang": "en"})
store.engine.dispose()
"""


def release_source(commit: str, target) -> None:
    repo = config.REPO_ROOT
    if subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{commit}^{{commit}}"],
                      capture_output=True).returncode != 0:
        skip_or_fail(f"release commit {commit} is not in this checkout's git history")
    archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", commit, "src", "data"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def snapshot(url: str) -> dict[str, list[dict]]:
    """Every row of every table, as plain values (no heatmap code involved)."""
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        reflected = sa.MetaData()
        reflected.reflect(conn)
        for name, table in reflected.tables.items():
            if name in ("spatial_ref_sys", "alembic_version"):
                continue
            order = [c for c in table.primary_key.columns] or list(table.columns)
            out[name] = [
                {k: (bytes(v).hex() if isinstance(v, (bytes, memoryview)) else v) for k, v in row.items()}
                for row in conn.execute(sa.select(table).order_by(*order)).mappings()
            ]
    engine.dispose()
    return out


def schema_differences(url: str) -> list:
    """What differs between the database's tables and columns and today's metadata (indexes aside)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    flat = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    return [d for d in flat if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
            and not (d[0] == "remove_table" and d[1].name == "spatial_ref_sys")]


@pytest.fixture(params=["sqlite", "postgis"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite'}"
    return request.getfixturevalue("postgis_url")


@pytest.mark.parametrize("release", list(RELEASES))
def test_a_database_of_an_earlier_release_is_upgraded_in_place_and_keeps_everything(release, url, tmp_path):
    release_source(RELEASES[release], tmp_path / "old")
    empty = Store(url)  # a shared test database: nothing of an earlier test may remain
    empty.drop_schema()
    empty.engine.dispose()
    built = subprocess.run([sys.executable, "-c", BUILD, url], cwd=tmp_path, capture_output=True, text=True,
                           env={"PYTHONPATH": str(tmp_path / "old" / "src"), "PATH": "/usr/bin:/bin",
                                "HOME": str(tmp_path)}, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    before = snapshot(url)
    assert len(before["carriers"]) > 240 and len(before["versions"]) > 10 and before["inquiries"]

    store = Store(url)
    store.create_schema()  # what `python -m heatmap init` and every start of the app do
    with store.engine.connect() as conn:
        assert migrations.current(conn) == migrations.head()
    after = snapshot(url)
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        for old, new in zip(rows, after[table]):
            assert {k: new[k] for k in old} == old, table  # every old column of every row, unchanged
    assert schema_differences(url) == []  # the same tables and columns a new database gets
    assert_history_equals_tables(store)
    store.add_stage_event(store.projects()["code"].iloc[0], "signed", dt.date(2026, 9, 1), user="t")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # the upgrade put the guards in place
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM project_events"))

    # and it works as a database of today's: the old release's rollback undone, a new version on top
    undo = int(store.versions("carrier").query("source == 'rollback'")["id"].max())
    assert store.rollback(undo, user="staff-liuhe") is not None
    assert store.record("carrier", "MIG-P1")["rent_cny_m2_month"] == 25
    assert_history_equals_tables(store)
    # the monthly file uploaded again unchanged after the upgrade: nothing to change, no new field noise
    rows = [{"载体编号": f"MIG-P{i}", "载体名称": f"迁移测试厂房{i}", "建筑面积": 1000 + i, "空置面积": 100,
             "状态": "可租售", "租金": 25, "经度": 121.27 + i / 1000, "纬度": 31.52} for i in range(5)]
    again = pipeline.read_upload(pd.DataFrame(rows).to_csv(index=False).encode(), "migration.csv", kind="plant",
                                 store=store, district="liuhe")
    assert not again.errors and pipeline.preview(again, store).counts["change"] == 0
    versions = snapshot(url)["versions"]
    store.create_schema()  # a second start changes nothing
    assert snapshot(url)["versions"] == versions
    store.engine.dispose()


def test_a_new_database_is_made_at_the_newest_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    store = Store(url)
    store.create_schema()
    with store.engine.connect() as conn:
        assert migrations.current(conn) == migrations.head()
    assert schema_differences(url) == []


def test_every_revision_chains_to_the_baseline():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.config())
    revisions = list(script.walk_revisions())
    assert revisions[-1].revision == migrations.BASELINE and revisions[-1].down_revision is None
    assert len(script.get_heads()) == 1
