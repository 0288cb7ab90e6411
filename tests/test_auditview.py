"""The audit trail as the administrator's page tells it (heatmap.auditview): a Taicang day is the right span of
UTC; each entry reads in words in Chinese and in English — the action's name, what it was done to, the details
— with no internal code, no None or nan, and no word of the other language; the filtered list exports as CSV
(readable by spreadsheets, no cell a formula) and as Excel."""
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pytest

from heatmap import audit, auditview, i18n
from heatmap.ingest import pipeline
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import intake, rulebook, transferflow, transfers

from test_audit_actions import ADMIN, LIUHE, OFFICE, SHAXI, acting_as, project
from test_evaluations import DOCS, FULL
from test_ingest_pipeline import csv_bytes, plant_rows

NAMES = {"zh": {"liuhe": "浏河镇", "shaxi": "沙溪镇"}, "en": {"liuhe": "Liuhe Town", "shaxi": "Shaxi Town"}}


def test_a_taicang_day_is_the_span_of_utc_it_covers():
    assert auditview.utc_range(dt.date(2026, 11, 2), dt.date(2026, 11, 3)) == (
        dt.datetime(2026, 11, 1, 16, 0), dt.datetime(2026, 11, 3, 16, 0))  # Taicang is UTC+8
    assert auditview.default_dates(dt.date(2026, 11, 30)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def trail(sqlite_store):
    """A day's work: a file committed, a project edited and rolled back, a transfer proposed and accepted, a grade
    proposed and confirmed, a rules change, settings, a record opened, an export, a failed sign-in."""
    store = sqlite_store
    with audit.unrecorded():
        store.save("project", [project("TC-PJ-001"), project("TC-PJ-003", district="shaxi")], user="sample", source="form")
    with acting_as(LIUHE):
        upload = pipeline.read_upload(csv_bytes(plant_rows(2)), "浏河厂房.csv", kind="plant", store=store, district="liuhe")
        store.audit("upload", target=upload.file, target_district="liuhe", detail=pipeline.upload_summary(upload))
        pipeline.commit(upload, store, user="staff-liuhe", note="七月核实")
        stored, base = intake.read_for_form(store, "TC-PJ-001")
        saved = intake.save_project(store, LIUHE, {**stored, "stage": "signed"}, base)
        store.rollback(saved.version, user="staff-liuhe")
        pid = transfers.propose(store, LIUHE, "TC-PJ-001", "shaxi", "no_land", seen_latest=None)
        proposal, _ = ev.record(store, LIUHE, "TC-PJ-001", "manufacturing", FULL, (), DOCS, propose=True, seen_latest=None)
        store.audit("project_view", target="TC-PJ-001", target_district="liuhe", detail={"page": "projects"})
    with acting_as(OFFICE):
        ev.confirm(store, OFFICE, "TC-PJ-001", seen_latest=proposal)
        store.audit("export", target="taicang-report-2026-5.xlsx", detail={"file": "taicang-report-2026-5.xlsx",
                                                                          "period": "2026-5", "bytes": 5120})
    with acting_as(SHAXI):
        version = int(store.projects().set_index("code").loc["TC-PJ-001", "version_id"])
        transferflow.accept(store, SHAXI, pid, seen=None, project_base={"TC-PJ-001": version}, note="园区有地")
    with acting_as(ADMIN):
        reports_version, reports_rules = rulebook.current(store, "reports")
        rulebook.save(store, "reports", {**reports_rules, "stalled_days": 120}, user="admin", edited_from=reports_version)
        store.audit("settings_change", target="freshness", detail={"stale_days": 60, "hide_stale": True})
    store.audit("signin_failed", None, client="192.0.2.9", detail={"username": "ghost"})
    return store


def rows_by_action(shown, lang):
    return {row[i18n.t("audit.col.action", lang)]: row for row in shown.to_dict("records")}


def test_each_entry_reads_in_words_in_chinese(trail):
    shown = auditview.table(trail.audit_events(), "zh", NAMES["zh"])
    assert list(shown.columns) == ["时间", "账号", "角色", "所属区镇", "操作", "对象", "对象所属区镇", "详情", "来源地址", "客户端"]
    rows = rows_by_action(shown, "zh")
    commit = rows["提交上传文件"]
    assert (commit["账号"], commit["角色"], commit["所属区镇"], commit["对象"], commit["来源地址"]) == (
        "staff-liuhe", "区镇招商人员", "浏河镇", "浏河厂房.csv", "203.0.113.7")
    assert commit["详情"].startswith("载体；生成版本 ") and "新增 2，修改 0，删除 0" in commit["详情"]
    assert commit["详情"].endswith("说明：七月核实")
    assert rows["上传文件（检查）"]["详情"].startswith("载体；厂房；2 条记录，0 个错误，")
    assert rows["回滚版本"]["对象"].startswith("版本 ")
    assert rows["修改项目"]["详情"].endswith("字段：推进阶段")
    assert rows["提出项目流转"]["详情"] == "流转申请 #1；流向：沙溪镇；理由：无合适用地"
    accept = rows["承接流转项目"]
    assert (accept["所属区镇"], accept["对象所属区镇"]) == ("沙溪镇", "沙溪镇")
    assert accept["详情"] == "流转申请 #1；记录 #1；流向：沙溪镇；原区镇分成 50%；5 年；说明：园区有地"
    assert rows["确认项目等级"]["详情"].startswith("等级提议 #1；评价记录 #2；等级 A+；标准：制造业（第 1 版）")
    assert rows["修改规则"]["对象"] == "每两月上报" and rows["修改规则"]["详情"] == "第 1 版；基于默认规则"
    assert rows["修改设置"]["对象"] == "数据时效设置"
    assert rows["修改设置"]["详情"] == "超过 60 天未核实为过期；对公众隐藏过期记录"
    assert rows["查看项目档案"]["详情"] == "在项目库"
    assert rows["导出数据"]["详情"] == "报告期：2026年9–10月"
    failed = rows["登录失败"]
    assert (failed["账号"], failed["角色"], failed["来源地址"]) == ("（未登录）", "–", "192.0.2.9")


def test_each_entry_reads_in_words_in_english(trail):
    rows = rows_by_action(auditview.table(trail.audit_events(), "en", NAMES["en"]), "en")
    assert rows["Upload committed"]["Details"].startswith("carriers; made version ")
    assert "2 added, 0 changed, 0 removed" in rows["Upload committed"]["Details"]
    assert rows["Transfer proposed"]["Details"] == "proposal #1; to: Shaxi Town; reason: No suitable land"
    assert rows["Rules changed"]["Target"] == "Bi-monthly reports"
    assert rows["Version rolled back"]["Target"].startswith("version ")
    assert rows["Grade confirmed"]["Details"].startswith(
        "grade proposal #1; evaluation #2; grade A+; standard: Manufacturing (version 1)")
    assert rows["Sign-in failed"]["Account"] == "(not signed in)"


def test_no_code_none_nan_or_word_of_the_other_language_shows(trail):
    events = trail.audit_events()
    for lang in ("zh", "en"):
        shown = auditview.table(events, lang, NAMES[lang])
        cells = shown.astype(str)
        assert not cells.isin(["None", "nan", "NaN", "NaT", ""]).any().any()  # nothing said: "–"
        for code in audit.ACTIONS:  # never the code of an action, always its name
            assert code not in set(shown[i18n.t("audit.col.action", lang)])
        words = " ".join(shown[[i18n.t(f"audit.col.{c}", lang) for c in ("role", "action", "detail")]].to_numpy().ravel())
        data = r"[A-Z]{2}-[A-Z0-9-]+|A\+|#\d+|ghost"  # codes, grades and what was typed are data, in any language
        if lang == "zh":
            assert not re.findall(r"[A-Za-z]{2,}", re.sub(data, "", words)), words
        else:
            assert not re.findall(r"[\u3400-\u9fff]", re.sub(r"七月核实|园区有地", "", words)), words  # notes are as typed


def test_the_filtered_list_exports_as_csv_and_excel(trail):
    trail.audit("download", "staff-liuhe", target="=HYPERLINK(\"http://evil\")-report.xlsx", detail={"problems": 3})
    shown = auditview.table(trail.audit_events(action=["download", "upload_commit"]), "zh", NAMES["zh"])
    data = auditview.to_csv(shown)
    assert data.startswith("\ufeff".encode("utf-8"))  # spreadsheets then read the Chinese
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(read.columns) == list(shown.columns) and len(read) == 2
    assert read.iloc[0]["对象"] == "'=HYPERLINK(\"http://evil\")-report.xlsx"  # text, never a formula
    book = openpyxl.load_workbook(io.BytesIO(auditview.to_excel(shown, "en")))
    sheet = book["Audit trail"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == list(shown.columns) and len(cells) == 3
    assert sheet.cell(2, 6).data_type == "s"  # the =HYPERLINK target stays text in Excel too
    assert auditview.file_name(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "csv") == "taicang-audit-20261101-20261130.csv"
    detail = auditview.filters_detail(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "staff-liuhe", ["download"], "liuhe")
    assert auditview.detail_text("export", {**detail, "format": "csv", "rows": 2}, "zh", NAMES["zh"]) == (
        "2 行；筛选：2026年11月1日–2026年11月30日、staff-liuhe、下载文件、浏河镇；格式：CSV")


def test_what_the_accounts_page_and_the_sign_in_record_reads_in_words():
    names = NAMES["zh"]
    locked = {"username": "staff-liuhe", "attempts": 5, "until": "2026-11-02T02:30:00"}
    assert auditview.detail_text("signin_locked", locked, "zh", names) == (
        "输入的用户名：staff-liuhe；连续失败 5 次；锁定至 2026年11月2日 10:30")
    assert auditview.detail_text("signin_locked", locked, "en", NAMES["en"]) == (
        "username given: staff-liuhe; 5 failures in a row; locked until 2 Nov 2026 10:30")
    created = {"role": "staff", "district": "liuhe", "display_name": "浏河招商"}
    assert auditview.detail_text("account_create", created, "zh", names) == "区镇：浏河镇；角色：区镇招商人员；显示名：浏河招商"


def test_an_inquirys_language_is_put_into_words():
    """An inquiry's entry keeps the language it was written in; the page names it (a key called `lang` once
    clashed with the reader's language)."""
    from heatmap import auditview

    for lang in ("zh", "en"):
        text = auditview.detail_text("inquiry_receive", {"lang": "de"}, lang, {})
        assert text and "{" not in text
