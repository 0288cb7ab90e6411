"""`python -m heatmap`: init, sample, create-user, info — run as a user would, in a new process."""
import os
import subprocess
import sys

from heatmap import auth
from heatmap.store import Store


def heatmap(tmp_path, *args, stdin=None):
    env = os.environ | {"HEATMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    return subprocess.run([sys.executable, "-m", "heatmap", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300)


def test_init_sample_and_accounts(tmp_path):
    result = heatmap(tmp_path, "init", "--no-sample")
    assert result.returncode == 0, result.stderr
    store = Store(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    assert store.count("carrier") == 0 and len(store.district_codes()) == 12

    result = heatmap(tmp_path, "sample", "--carriers", "300", "--projects", "30")
    assert result.returncode == 0, result.stderr
    assert "300 carriers, 30 projects" in result.stdout
    assert store.count("carrier") == 300 and store.count("project") == 30
    assert store.get_meta("dataset") == "sample"
    assert auth.authenticate(store, "staff-port", "taicang-demo").district == "port"

    result = heatmap(tmp_path, "create-user", "admin", "--role", "admin", "--password-stdin", stdin="a strong secret\n")
    assert result.returncode == 0, result.stderr
    assert auth.authenticate(store, "admin", "a strong secret").role.value == "admin"

    result = heatmap(tmp_path, "info")
    assert "carriers: 300" in result.stdout and "projects: 30" in result.stdout


def test_bad_account_is_refused_with_a_message(tmp_path):
    result = heatmap(tmp_path, "create-user", "bob", "--role", "staff", "--district", "atlantis", "--password-stdin",
                     stdin="long enough\n")
    assert result.returncode == 2
    assert "district staff must be bound to a known district" in result.stderr


def test_a_new_database_gets_the_sample_by_default(tmp_path):
    result = heatmap(tmp_path, "init")
    assert result.returncode == 0, result.stderr
    assert "1500 carriers, 300 projects" in result.stdout


def test_import_checks_dry_runs_and_commits(tmp_path):
    from test_ingest_pipeline import csv_bytes, plant_rows

    assert heatmap(tmp_path, "init", "--no-sample").returncode == 0
    store = Store(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    good = tmp_path / "浏河厂房.csv"
    good.write_bytes(csv_bytes(plant_rows(3)))

    result = heatmap(tmp_path, "import", str(good), "--kind", "plant", "--district", "liuhe", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "新增 3" in result.stdout and "--dry-run" in result.stdout
    assert store.count("carrier") == 0

    result = heatmap(tmp_path, "import", str(good), "--kind", "plant", "--district", "liuhe", "--note", "bulk", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "3 added" in result.stdout
    version = store.versions().iloc[0]
    assert (version["source"], version["file_name"], version["note"], version["district"]) == ("cli", "浏河厂房.csv", "bulk", "liuhe")

    rows = plant_rows(2)
    rows[1]["空置面积"] = "99999"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(rows))
    result = heatmap(tmp_path, "import", str(bad), "--kind", "plant", "--district", "liuhe", "--lang", "en")
    assert result.returncode == 1
    assert "bad.csv" in result.stderr and "Row 3" in result.stderr and "空置面积" in result.stderr
    assert "nothing was written" in result.stderr
    assert store.count("carrier") == 3 and len(store.versions()) == 1
