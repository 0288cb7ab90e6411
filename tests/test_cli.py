"""`python -m heatmap`: init, sample, accounts, import, history and rollback, run as a user would.

Most tests call heatmap.cli.main with the arguments a user types, against a real store on both backends
(HEATMAP_DATABASE_URL points the command line at it); one runs `python -m heatmap` in a new process.
"""
import ast
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from heatmap import auth, cli, i18n
from heatmap.store import Store
from test_ingest_pipeline import csv_bytes, plant_rows

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "lantern over quiet harbour"
CHENGXIANG_SEAT = (121.117955, 31.454658)  # 城厢镇's seat


@pytest.fixture
def env(monkeypatch):
    """An English locale unless a test says otherwise (the default language comes from it)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return monkeypatch


@pytest.fixture
def db(store, env):
    """The command line pointed at a real store (both backends), with staff of two districts, a leader, an admin."""
    env.setenv("HEATMAP_DATABASE_URL", store.url)
    for username, role, district in (("staff-liuhe", "staff", "liuhe"), ("staff-chengxiang", "staff", "chengxiang"),
                                     ("leader", "leader", None), ("admin", "admin", None)):
        auth.create_user(store, username, PASSWORD, role, district)
    return store


def run(capsys, *argv):
    """main() with these arguments: (exit code, stdout, stderr); a traceback would fail the test."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:  # argparse: --help, a usage error
        code = exit_.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def write_csv(tmp_path, name, rows) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return str(path)


def heatmap(tmp_path, *args, stdin=None, lang="en_US.UTF-8"):
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    env |= {"HEATMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", "LANG": lang, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "heatmap", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300)


# --- a new process, as an operator runs it ------------------------------------------------------------


def test_init_sample_accounts_and_info_in_a_new_process(tmp_path):
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

    result = heatmap(tmp_path, "create-user", "admin", "--role", "admin", "--password-stdin", stdin="brass kettle sings at dawn\n")
    assert result.returncode == 0, result.stderr
    assert auth.authenticate(store, "admin", "brass kettle sings at dawn").role.value == "admin"

    result = heatmap(tmp_path, "info", lang="zh_CN.UTF-8")  # the locale decides the language
    assert "载体：300" in result.stdout and "项目：30" in result.stdout and "样例数据" in result.stdout

    result = heatmap(tmp_path, "history", "--limit", "4", lang="zh_CN.UTF-8")
    assert result.returncode == 0, result.stderr
    settled, accepted, report = (line.split() for line in result.stdout.splitlines()[1:4])
    # the sample's last steps: a transferred project accepted by its destination, then settled there
    assert accepted[4:6] == ["项目流转", "项目"] and settled[4:6] == ["样例数据", "项目"] and accepted[6] == settled[6] != "全市"
    assert report[3:7] == ["sample", "样例数据", "项目", "全市"]  # author, source, data and district by name


def test_a_new_database_gets_the_sample_by_default(tmp_path):
    result = heatmap(tmp_path, "init")
    assert result.returncode == 0, result.stderr
    assert "1500 carriers, 300 projects" in result.stdout


def test_accounts_by_name_and_bad_accounts_refused_with_a_message(db, env, capsys):
    env.setattr("sys.stdin", __import__("io").StringIO("lantern over quiet harbour\n"))
    code, out, _ = run(capsys, "create-user", "wang", "--role", "区镇招商人员", "--district", "浏河", "--password-stdin", "--lang", "zh")
    assert code == 0 and out.strip() == "账号 wang（区镇招商人员，浏河镇）已保存"
    assert auth.authenticate(db, "wang", "lantern over quiet harbour").district == "liuhe"
    code, _, err = run(capsys, "create-user", "bob", "--role", "staff", "--district", "atlantis", "--password-stdin")
    assert code == 2 and "unknown district “atlantis”" in err and "Liuhe Town" in err
    env.setattr("sys.stdin", __import__("io").StringIO("lantern over quiet harbour\n"))
    code, _, err = run(capsys, "create-user", "bob", "--role", "staff", "--password-stdin")
    assert code == 2 and "the account was not saved: district staff must be bound to a known district" in err
    assert db.user("bob") is None


# --- language -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("environ, lang", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),  # LC_ALL first
    ({"LC_ALL": "", "LC_MESSAGES": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # then LC_MESSAGES, then LANG
])
def test_the_default_language_comes_from_the_locale(environ, lang):
    assert cli.language_from_environment(environ) == lang


def test_help_and_usage_errors_are_in_the_chosen_language(env, capsys):
    env.setenv("LANG", "zh_CN.UTF-8")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and out.startswith("用法：") and "显示本帮助并退出" in out and "命令：" in out and "回退" in out
    code, out, _ = run(capsys, "import", "--help", "--lang", "en")  # --lang after the command, read before the help
    assert code == 0 and out.startswith("usage: ") and "plant (plant building)" in out and "显示" not in out
    code, _, err = run(capsys, "import", "x.csv", "--kind", "工厂")
    assert code == 2 and "错误" in err and "“工厂” 不是可选值之一" in err and "plant（厂房）" in err
    code, _, err = run(capsys, "rollback", "--lang", "en")
    assert code == 2 and "the following arguments are required: VERSION, --user" in err
    code, _, err = run(capsys, "--lang", "zh", "history", "--limit", "0")
    assert code == 2 and "须为正整数，而不是 0" in err
    code, _, err = run(capsys, "--lang", "zh", "frobnicate")
    assert code == 2 and "无效的选项 'frobnicate'" in err


@pytest.mark.parametrize("lang", i18n.STAFF_LANGUAGES)
def test_every_help_text_exists_in_both_languages(lang):
    parser = cli.build_parser(lang)
    texts = [parser.format_help()] + [p.format_help() for p in parser._subparsers._group_actions[0].choices.values()]
    for text in texts:
        assert "cli.help." not in text and "None" not in text
        assert ("选项" in text) == (lang == "zh")


def test_every_message_of_the_command_line_goes_through_i18n():
    """No literal text reaches print, _say, _complain or Refused: every line is a catalog string."""
    tree = ast.parse((REPO / "src" / "heatmap" / "cli.py").read_text(encoding="utf-8"))
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("print", "_say", "_complain", "Refused"):
            for arg in node.args:
                literals = [n.value for n in ast.walk(arg) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
                literals = [v for v in literals if any(ch.isalpha() for ch in v)]
                if isinstance(arg, (ast.Constant, ast.JoinedStr)) and literals:
                    offenders.append((node.lineno, literals))
    assert not offenders


def test_no_message_the_command_line_prints_points_at_the_page():
    """Import messages that tell the user to use the page's controls have their own wording on the command line."""
    page_words = ("map it above", "map the columns", "click", "tick", "button", "上方", "点击", "勾选", "指定字段")
    for key, texts in i18n.CATALOG.items():
        zh, en = texts["zh"], texts["en"]
        if key.startswith(("ingest.", "problem.")) and not key.startswith("ingest.template_") and any(w in zh or w in en.lower() for w in page_words):
            cli_key = "cli." + key if key.startswith("ingest.") else "cli.ingest." + key.split(".", 1)[1]
            assert i18n.has(cli_key), f"{key} speaks of the page; the command line needs {cli_key}"
            assert not any(w in i18n.t(cli_key, "en").lower() for w in page_words[:5]), cli_key


# --- import -------------------------------------------------------------------------------------------


def test_import_checks_dry_runs_and_commits(db, tmp_path, capsys):
    good = write_csv(tmp_path, "浏河厂房.csv", plant_rows(3))
    code, out, _ = run(capsys, "import", good, "--kind", "厂房", "--district", "浏河镇", "--dry-run", "--lang", "zh")
    assert code == 0 and "新增 3" in out and "--dry-run" in out
    assert db.count("carrier") == 0

    code, out, _ = run(capsys, "import", good, "--kind", "plant", "--district", "liuhe", "--note", "bulk")
    assert code == 0 and "3 added" in out
    version = db.versions().iloc[0]
    assert (version["source"], version["file_name"], version["note"], version["district"], version["created_by"]) == \
        ("cli", "浏河厂房.csv", "bulk", "liuhe", "cli")

    rows = plant_rows(2)
    rows[1]["空置面积"] = "99999"
    code, _, err = run(capsys, "import", write_csv(tmp_path, "bad.csv", rows), "--kind", "plant", "--district", "liuhe")
    assert code == 1
    assert "bad.csv" in err and "Row 3" in err and "空置面积" in err and "nothing was written" in err
    assert db.count("carrier") == 3 and len(db.versions()) == 1


def test_import_names_districts_and_kinds_not_codes(db, tmp_path, capsys):
    rows = plant_rows(1) + plant_rows(1, district="城厢镇", lon_lat=CHENGXIANG_SEAT)
    rows[1]["载体编号"] = "CX-P001"
    rows[1]["载体类型"] = rows[0]["载体类型"] = "商务楼宇"
    code, _, err = run(capsys, "import", write_csv(tmp_path, "mixed.csv", rows), "--kind", "plant", "--district", "liuhe",
                       "--lang", "zh")
    assert code == 1
    assert "该行属于其他区镇（城厢镇），您只能上传本区镇（浏河镇）的载体" in err
    assert "类型 “商务楼宇” 与所选类型 “厂房” 不符" in err
    for code_word in ("liuhe", "chengxiang", "office", "plant"):
        assert code_word not in err


def test_an_unrecognised_column_is_said_for_the_terminal(db, tmp_path, capsys):
    rows = plant_rows(1)
    rows[0]["备用栏"] = "x"
    code, _, err = run(capsys, "import", write_csv(tmp_path, "extra.csv", rows), "--kind", "plant", "--dry-run")
    assert code == 0
    assert "The column “备用栏” was not recognised and is ignored. Rename it as in the template" in err
    assert "above" not in err


def test_replace_without_a_district_on_a_file_of_several_districts_is_refused(db, tmp_path, capsys):
    rows = plant_rows(1) + plant_rows(1, district="城厢镇", lon_lat=CHENGXIANG_SEAT)
    rows[1]["载体编号"] = "CX-P001"
    code, out, err = run(capsys, "import", write_csv(tmp_path, "two.csv", rows), "--kind", "plant", "--replace")
    assert code == 2
    assert "--replace needs one district" in err and "Chengxiang Town, Liuhe Town" in err and "--district" in err
    assert db.count("carrier") == 0 and db.versions().empty


def test_a_folder_an_unreadable_file_and_a_missing_file_are_refused(db, tmp_path, capsys):
    folder = tmp_path / "shapes"
    folder.mkdir()
    code, _, err = run(capsys, "import", str(folder), "--kind", "land")
    assert code == 2 and "is a folder, not a file" in err
    if os.geteuid() == 0:  # root reads any file: use one the kernel refuses to read
        unreadable = "/proc/self/mem"
    else:
        locked = tmp_path / "locked.csv"
        locked.write_bytes(csv_bytes(plant_rows(1)))
        locked.chmod(0)
        unreadable = str(locked)
    code, _, err = run(capsys, "import", unreadable, "--kind", "plant", "--lang", "zh")
    assert code == 2 and f"无法读取文件 {unreadable}" in err
    code, _, err = run(capsys, "import", str(tmp_path / "nothing.csv"), "--kind", "plant")
    assert code == 2 and "no such file" in err
    assert db.versions().empty


def test_import_as_an_account_applies_its_role_and_district(db, tmp_path, capsys):
    good = write_csv(tmp_path, "浏河厂房.csv", plant_rows(2))
    code, _, err = run(capsys, "import", good, "--kind", "plant", "--user", "nobody")
    assert code == 2 and "there is no account “nobody”" in err
    code, _, err = run(capsys, "import", good, "--kind", "plant", "--user", "leader", "--lang", "zh")
    assert code == 2 and "leader（市领导）无权修改载体数据" in err
    code, _, err = run(capsys, "import", good, "--kind", "plant", "--user", "staff-chengxiang", "--district", "liuhe")
    assert code == 2 and "district staff of Chengxiang Town" in err and "not those of Liuhe Town" in err
    code, _, err = run(capsys, "import", good, "--kind", "plant", "--user", "staff-chengxiang")  # their district: rows refused
    assert code == 1 and "another district (Liuhe Town)" in err
    assert db.versions().empty
    code, out, err = run(capsys, "import", good, "--kind", "plant", "--user", "staff-liuhe", "--dry-run")
    assert code == 0 and "importing as staff-liuhe (district staff, Liuhe Town)" in err
    code, out, err = run(capsys, "import", good, "--kind", "plant", "--user", "admin", "--dry-run", "--lang", "zh")
    assert code == 0 and "以 admin（管理员）的身份导入，可导入任何区镇" in err
    code, out, _ = run(capsys, "import", good, "--kind", "plant", "--user", "staff-liuhe")
    assert code == 0 and "2 added" in out
    version = db.versions().iloc[0]
    assert (version["created_by"], version["district"]) == ("staff-liuhe", "liuhe")


def test_an_unreachable_database_is_a_message(env, tmp_path, capsys):
    env.setenv("HEATMAP_DATABASE_URL", "postgresql+psycopg://heatmap:secret@127.0.0.1:1/heatmap")
    code, _, err = run(capsys, "import", write_csv(tmp_path, "a.csv", plant_rows(1)), "--kind", "plant")
    assert code == 3
    assert "cannot use the database postgresql+psycopg://heatmap:***@127.0.0.1:1/heatmap: it is busy or unreachable" in err
    assert "secret" not in err
    env.setenv("HEATMAP_DATABASE_URL", "nonsense://")
    code, _, err = run(capsys, "info")
    assert code == 2 and "the database address is not valid" in err


def test_a_store_locked_by_another_writer_is_a_message(sqlite_store, env, tmp_path, capsys):
    """Another process holds SQLite's write lock for longer than the store waits (30 s)."""
    env.setenv("HEATMAP_DATABASE_URL", sqlite_store.url)
    good = write_csv(tmp_path, "浏河厂房.csv", plant_rows(2))
    holder = sqlite3.connect(sqlite_store.engine.url.database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(90, holder.rollback)  # never left locked, whatever happens
    release.start()
    try:
        code, _, err = run(capsys, "import", good, "--kind", "plant", "--district", "liuhe", "--lang", "zh")
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
    assert code == 3 and "正被其他写入占用" in err and "未写入任何数据" in err
    assert sqlite_store.versions().empty and sqlite_store.count("carrier") == 0


# --- history ------------------------------------------------------------------------------------------


def _import(capsys, path, *extra):
    code, out, err = run(capsys, "import", path, "--kind", "plant", *extra)
    assert code == 0, err
    return int(out.rsplit("version ", 1)[1].split(":")[0])


def test_history_lists_versions_with_names_and_filters(db, tmp_path, capsys):
    first = _import(capsys, write_csv(tmp_path, "浏河厂房.csv", plant_rows(3)), "--user", "staff-liuhe", "--note", "首批")
    cx = plant_rows(2, district="城厢镇", lon_lat=CHENGXIANG_SEAT)
    for i, row in enumerate(cx):
        row["载体编号"] = f"CX-P{i:03d}"
    second = _import(capsys, write_csv(tmp_path, "城厢厂房.csv", cx), "--user", "staff-chengxiang")

    code, out, _ = run(capsys, "history", "--lang", "zh")
    assert code == 0
    head, *lines = out.splitlines()
    assert head.split() == ["版本", "时间", "提交人", "来源", "数据", "区镇", "文件", "新增", "/", "修改", "/", "删除", "备注"]
    assert lines[0].split()[0] == str(second) and lines[1].split()[0] == str(first)
    assert "城厢镇" in lines[0] and "staff-chengxiang" in lines[0] and "命令行导入" in lines[0] and "城厢厂房.csv" in lines[0]
    assert "浏河镇" in lines[1] and "+3 / ~0 / −0" in lines[1] and "首批" in lines[1] and "载体" in lines[1]
    assert "年" in lines[1] and ":" in lines[1]  # local date and time
    assert not {"liuhe", "chengxiang", "cli", "carrier"} & set(out.split())  # (the accounts are named staff-liuhe…)

    code, out, _ = run(capsys, "history", "--district", "Liuhe Town")
    assert code == 0 and len(out.splitlines()) == 2 and "Liuhe Town" in out and "command-line import" in out
    code, out, _ = run(capsys, "history", "--entity", "project")
    assert code == 0 and out.strip() == "No versions match."
    code, out, _ = run(capsys, "history", "--limit", "1")
    assert len(out.splitlines()) == 3 and "1 older version(s)" in out
    code, _, err = run(capsys, "history", "--district", "atlantis")
    assert code == 2 and "unknown district “atlantis”" in err and "Liuhe Town" in err


def test_history_of_one_version_shows_each_field(db, tmp_path, capsys):
    _import(capsys, write_csv(tmp_path, "浏河厂房.csv", plant_rows(3)), "--district", "liuhe")
    rows = plant_rows(3)
    rows[0]["空置面积"] = "500㎡"
    rows[1]["状态"] = "已满"
    rows[1]["空置面积"] = "0"
    changed = _import(capsys, write_csv(tmp_path, "浏河厂房-11月.csv", rows), "--district", "liuhe", "--note", "11月核实")

    code, out, _ = run(capsys, "history", str(changed), "--lang", "zh")
    assert code == 0
    assert f"版本 {changed} · " in out and "命令行导入 · 载体 · 浏河镇" in out and "浏河厂房-11月.csv" in out
    assert "新增 0，修改 2，删除 0" in out and "备注：11月核实" in out
    assert "修改  LH-P001  浏河标准厂房1号" in out
    assert "    空置面积（㎡）：601 → 500" in out
    assert "    状态：可租售 → 已满" in out
    assert "available" not in out and "occupied" not in out

    code, out, _ = run(capsys, "history", "1", "--lang", "en")
    assert "added  LH-P001  浏河标准厂房1号" in out and "3 added, 0 changed, 0 removed" in out
    code, out, _ = run(capsys, "history", str(changed), "--limit", "1")
    assert "… and 4 more line(s)" in out
    code, _, err = run(capsys, "history", "99")
    assert code == 2 and "version 99 does not exist" in err


# --- who may run what: every command asks access.allowed for the account it runs as ---------------------


def test_every_command_runs_as_an_account_and_declares_what_it_asks_the_permission_function():
    parser = cli.build_parser("en")
    commands = parser._subparsers._group_actions[0].choices
    assert set(commands) == set(cli.COMMAND_ACTIONS)  # a new command must say what it asks access.allowed
    for name, sub in commands.items():
        assert "--user" in sub.format_help(), name
    assert cli.OPERATOR_VIEWER.role.value == "admin" and cli.OPERATOR_VIEWER.username == "cli"


def test_only_an_administrator_sets_up_loads_the_sample_or_manages_accounts(db, env, capsys):
    before = (db.count("carrier"), len(db.users()))
    code, _, err = run(capsys, "sample", "--carriers", "20", "--projects", "5", "--no-history", "--user", "staff-liuhe")
    assert code == 2 and "staff-liuhe (district staff) may not load the sample" in err and "Nothing was written" in err
    code, _, err = run(capsys, "sample", "--carriers", "20", "--projects", "5", "--no-demo-accounts", "--user", "leader",
                       "--lang", "zh")
    assert code == 2 and "leader（市领导）无权载入样例数据" in err and "未写入任何数据" in err
    env.setattr("sys.stdin", __import__("io").StringIO("lantern over quiet harbour\n"))
    code, _, err = run(capsys, "create-user", "mallory", "--role", "admin", "--password-stdin", "--user", "staff-chengxiang")
    assert code == 2 and "may not manage accounts; only an administrator may. The account was not saved." in err
    code, _, err = run(capsys, "init", "--no-sample", "--user", "leader")
    assert code == 2 and "leader (leader) may not set up or upgrade the database" in err
    code, _, err = run(capsys, "init", "--no-sample", "--user", "nobody")
    assert code == 2 and "there is no account “nobody”" in err
    assert (db.count("carrier"), len(db.users())) == before and db.user("mallory") is None

    env.setattr("sys.stdin", __import__("io").StringIO("lantern over quiet harbour\n"))
    code, out, _ = run(capsys, "create-user", "wang", "--role", "staff", "--district", "浏河镇", "--password-stdin",
                       "--user", "admin")
    assert code == 0 and "account wang (district staff, Liuhe Town) saved" in out
    code, _, _ = run(capsys, "init", "--no-sample", "--user", "admin")
    assert code == 0
    code, out, err = run(capsys, "sample", "--carriers", "20", "--projects", "40", "--no-history", "--no-demo-accounts",
                         "--user", "admin")
    assert code == 0 and db.count("carrier") == 20, err


PROJECT_ROWS = {
    "liuhe": [{"项目编号": "LH-XM-001", "项目名称": "浏河精密轴承项目", "投资方": "浏河示例轴承有限公司", "项目类别": "制造业",
               "项目进展": "在谈", "所属区镇": "浏河镇"}],
    "chengxiang": [{"项目编号": "CX-XM-001", "项目名称": "城厢区域总部项目", "投资方": "城厢示例控股有限公司", "项目类别": "其他",
                    "项目进展": "在谈", "所属区镇": "城厢镇"}],
}


def test_the_history_shows_each_account_only_the_versions_it_may_read(db, tmp_path, capsys):
    """As the upload page's history (access.visible_versions): staff their own district's versions (carriers also
    city-wide ones), never another district's projects; the office the projects; the operator everything."""
    auth.create_user(db, "office", PASSWORD, "office", None)
    liuhe_plants = _import(capsys, write_csv(tmp_path, "浏河厂房.csv", plant_rows(2)), "--user", "staff-liuhe")
    cx = [{**r, "载体编号": f"CX-P{i:03d}"} for i, r in enumerate(plant_rows(2, district="城厢镇", lon_lat=CHENGXIANG_SEAT))]
    cx_plants = _import(capsys, write_csv(tmp_path, "城厢厂房.csv", cx), "--user", "staff-chengxiang")
    projects = {}
    for district, rows in PROJECT_ROWS.items():
        code, out, err = run(capsys, "import", write_csv(tmp_path, f"{district}-项目.csv", rows), "--entity", "project",
                             "--user", f"staff-{district}")
        assert code == 0, err
        projects[district] = int(out.rsplit("version ", 1)[1].split(":")[0])

    def listed(*argv) -> set[int]:
        code, out, err = run(capsys, "history", *argv)
        assert code == 0, err
        return {int(line.split()[0]) for line in out.splitlines()[1:] if line.split() and line.split()[0].isdigit()}

    assert listed() == {liuhe_plants, cx_plants, projects["liuhe"], projects["chengxiang"]}  # the operator
    assert listed("--user", "staff-liuhe") == {liuhe_plants, projects["liuhe"]}
    assert listed("--user", "staff-liuhe", "--entity", "project") == {projects["liuhe"]}
    assert listed("--user", "office") == {projects["liuhe"], projects["chengxiang"]}  # the office changes no carriers
    assert listed("--user", "leader") == set()  # leaders read no record-by-record changes (nor on the page)

    code, out, err = run(capsys, "history", str(projects["chengxiang"]), "--user", "staff-liuhe")
    assert code == 2 and out == "" and f"staff-liuhe (district staff) may not read version {projects['chengxiang']}" in err
    assert "城厢区域总部项目" not in err + out and "城厢示例控股" not in err + out
    code, out, err = run(capsys, "history", str(cx_plants), "--user", "staff-liuhe", "--lang", "zh")
    assert code == 2 and f"无权查看版本 {cx_plants}" in err
    code, out, _ = run(capsys, "history", str(projects["liuhe"]), "--user", "staff-liuhe")
    assert code == 0 and "浏河精密轴承项目" in out
    code, out, _ = run(capsys, "history", str(projects["chengxiang"]))  # the operator reads every version
    assert code == 0 and "城厢区域总部项目" in out

    code, out, _ = run(capsys, "info", "--user", "staff-liuhe")
    assert code == 0 and "projects: 1" in out  # their district's
    code, out, _ = run(capsys, "info", "--user", "leader")
    assert code == 0 and "projects: 2" in out


# --- rollback -----------------------------------------------------------------------------------------


def test_rollback_follows_the_pages_rules(db, tmp_path, capsys):
    own = _import(capsys, write_csv(tmp_path, "浏河厂房.csv", plant_rows(3)), "--user", "staff-liuhe")
    citywide = _import(capsys, write_csv(tmp_path, "more.csv", [
        {**r, "载体编号": f"LH-X{i}"} for i, r in enumerate(plant_rows(2))]))  # the operator, no district: city-wide
    assert db.version(citywide)["district"] is None

    code, _, err = run(capsys, "rollback", str(own), "--user", "staff-chengxiang")
    assert code == 2 and f"version {own} is for Liuhe Town" in err and "district staff of Chengxiang Town" in err
    code, _, err = run(capsys, "rollback", str(own), "--user", "leader", "--lang", "zh")
    assert code == 2 and "leader（市领导）无权修改数据" in err
    code, _, err = run(capsys, "rollback", str(citywide), "--user", "staff-liuhe")
    assert code == 2 and f"version {citywide} is city-wide: only an administrator may roll it back" in err
    code, _, err = run(capsys, "rollback", str(own), "--user", "ghost")
    assert code == 2 and "there is no account “ghost”" in err
    code, _, err = run(capsys, "rollback", "404", "--user", "admin")
    assert code == 2 and "version 404 does not exist" in err
    assert len(db.versions()) == 2 and db.count("carrier") == 5

    code, out, _ = run(capsys, "rollback", str(own), "--user", "staff-liuhe", "--note", "wrong file")
    assert code == 0 and f"version {own} was rolled back as new version" in out and "3 removed" in out
    undo = db.versions().iloc[0]
    assert (undo["source"], undo["created_by"], undo["note"], undo["reverts_version_id"], undo["district"]) == \
        ("rollback", "staff-liuhe", "wrong file", own, "liuhe")
    assert db.count("carrier") == 2
    code, out, _ = run(capsys, "rollback", str(citywide), "--user", "admin", "--lang", "zh")
    assert code == 0 and "删除 2" in out and db.count("carrier") == 0

    code, out, _ = run(capsys, "history", "--lang", "zh", "--limit", "1")
    assert f"回退版本 {citywide}" in out and "回退" in out.splitlines()[1]


def test_a_rollback_blocked_by_later_changes_lists_the_codes(db, tmp_path, capsys):
    first = _import(capsys, write_csv(tmp_path, "a.csv", plant_rows(3)), "--district", "liuhe")
    rows = plant_rows(3)
    rows[0]["空置面积"] = "500㎡"
    rows[2]["空置面积"] = "100㎡"
    later = _import(capsys, write_csv(tmp_path, "b.csv", rows), "--district", "liuhe")
    before = db.versions()

    code, out, err = run(capsys, "rollback", str(first), "--user", "admin")
    assert code == 2 and out == ""
    assert f"cannot roll back version {first}; nothing was written" in err
    assert f"2 record(s) were changed again in the later version {later}: LH-P001, LH-P003. Roll back version {later} first." in err
    assert len(db.versions()) == len(before) and db.record("carrier", "LH-P001")["vacant_m2"] == 500

    code, _, err = run(capsys, "rollback", str(first), "--user", "admin", "--lang", "zh")
    assert f"以下 2 条记录在之后的版本 {later} 中又被修改：LH-P001、LH-P003。请先回退版本 {later}。" in err
