"""项目流转 after the proposal, on SQLite and PostGIS: the receiving district's staff accept (the project moves to
them as a new version of its record, its 首谈地 kept, in the same transaction as the step) or decline with a
reason; the office refers pool proposals, declined ones and those waiting 30 days; the split is 50:50 for 5
years unless the office edits it; every step is checked against what the person read; once the project
settles both districts get their credit, and its signing counts for the destination."""
import datetime as dt

import pytest
import sqlalchemy as sa

from heatmap.access import PUBLIC
from heatmap.pipeline import figures, transfercredit, transferflow, transfers
from heatmap.store import Conflict

from test_transfers import LEADER, LIUHE, NAMES, OFFICE, PORT, SHAXI, project

NOW = dt.datetime(2026, 11, 20, 9, 0)


@pytest.fixture
def flow(store):
    store.save("project", [project("TC-PJ-001"), project("TC-PJ-003", district="shaxi")], user="sample", source="form")
    return store


def propose(store, viewer, code, to):
    return transfers.propose(store, viewer, code, to, "no_land", seen_latest=transfers.latest_ids(store.transfer_proposals()).get(code))


def one(store, proposal_id):
    return transferflow.find(store, proposal_id)


def base(store, code):
    """What a page read of the project: the version that last wrote it."""
    return {code: int(store.projects().set_index("code").loc[code, "version_id"])}


def accept(store, viewer, pid, code="TC-PJ-001", **kw):
    return transferflow.accept(store, viewer, pid, seen=one(store, pid).last_id, project_base=base(store, code), **kw)


def test_the_receiving_district_accepts_and_the_project_moves_there_with_its_origin_kept(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    assert one(flow, pid).status == "waiting" and one(flow, pid).receiver == "shaxi"
    versions_before = len(flow.versions("project"))
    accept(flow, SHAXI, pid, note="园区有地")
    moved = flow.record("project", "TC-PJ-001")
    assert (moved["district"], moved["origin_district"]) == ("shaxi", "liuhe")
    assert len(flow.versions("project")) == versions_before + 1
    assert flow.versions("project").iloc[0]["source"] == "transfer"
    t = one(flow, pid)
    assert (t.status, t.origin, t.destination, t.split) == ("accepted", "liuhe", "shaxi", (50.0, 5))
    step = t.accepted
    assert (step.by, step.note) == ("staff-shaxi", "园区有地") and step.at is not None
    assert transferflow.moves([t]) == [{"project_code": "TC-PJ-001", "kind": "transfer", "from": "liuhe", "to": "shaxi",
                                       "on": step.at.date()}]


def test_only_the_receiving_districts_staff_accept_and_nothing_moves_otherwise(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    for viewer in (PORT, LIUHE, OFFICE, LEADER, PUBLIC):
        with pytest.raises(transfers.TransferError) as refused:
            accept(flow, viewer, pid)
        assert refused.value.reasons[0].key == "transferflow.problem.not_receiver"
        assert all("{" not in text for text in transferflow.problems_text(refused.value, "en", flow.districts()))
    assert flow.record("project", "TC-PJ-001")["district"] == "liuhe" and flow.transfer_events().empty


def test_a_decline_needs_a_reason_of_the_rules_and_the_office_refers_it_on(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    with pytest.raises(transfers.TransferError) as refused:
        transferflow.decline(flow, SHAXI, pid, "too_far", seen=None)
    assert refused.value.reasons[0].key == "transferflow.problem.reason"
    with pytest.raises(transfers.TransferError):
        transferflow.decline(flow, SHAXI, pid, "other", seen=None, note=" ")  # "other" needs a note
    transferflow.decline(flow, SHAXI, pid, "no_space", seen=None)
    t = one(flow, pid)
    assert (t.status, t.steps[-1].reason, t.steps[-1].by) == ("declined", "no_space", "staff-shaxi")
    with pytest.raises(transfers.TransferError):  # the district may not refer
        transferflow.refer(flow, LIUHE, pid, "port", seen=t.last_id, now=NOW)
    with pytest.raises(transfers.TransferError) as same:
        transferflow.refer(flow, OFFICE, pid, "liuhe", seen=t.last_id, now=NOW)  # back to its origin
    assert same.value.reasons[0].key == "transferflow.problem.same_district"
    transferflow.refer(flow, OFFICE, pid, "port", seen=t.last_id, now=NOW, note="港区有空地")
    t = one(flow, pid)
    assert (t.status, t.receiver) == ("waiting", "port")
    accept(flow, PORT, pid)
    assert flow.record("project", "TC-PJ-001")["district"] == "port"


def test_a_pool_proposal_is_referred_by_the_office_and_a_waiting_one_only_after_30_days(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", None)
    t = one(flow, pid)
    assert (t.status, t.receiver) == ("pool", None)
    assert transferflow.may_decline(OFFICE, t) and not transferflow.may_accept(OFFICE, t)
    start = t.proposed_at
    transferflow.refer(flow, OFFICE, pid, "shaxi", seen=None, now=start)
    t = one(flow, pid)
    assert not transferflow.stale(t, t.since + dt.timedelta(days=29)) and transferflow.stale(t, t.since + dt.timedelta(days=30))
    with pytest.raises(transfers.TransferError) as early:
        transferflow.refer(flow, OFFICE, pid, "port", seen=t.last_id, now=t.since + dt.timedelta(days=29))
    assert early.value.reasons[0].key == "transferflow.problem.not_referable"
    text = transferflow.problems_text(early.value, "zh", flow.districts())[0]
    assert "待承接区镇决定" in text and "30" in text
    transferflow.refer(flow, OFFICE, pid, "port", seen=t.last_id, now=t.since + dt.timedelta(days=31))
    assert one(flow, pid).receiver == "port"
    rules = {**transfers.DEFAULT_RULES, "stale_days": 10}  # the days are rules: a shorter wait
    t = one(flow, pid)
    assert transferflow.stale(t, t.since + dt.timedelta(days=10), rules)


def test_every_step_is_checked_against_what_the_person_read(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    seen = one(flow, pid).last_id
    transferflow.decline(flow, SHAXI, pid, "no_space", seen=seen)  # a colleague declines first
    with pytest.raises(Conflict) as late:
        transferflow.accept(flow, SHAXI, pid, seen=seen, project_base=base(flow, "TC-PJ-001"))
    assert late.value.problems[0].key == "transfer_changed_meanwhile"
    with pytest.raises(Conflict):  # the store itself checks what the writer saw
        flow.add_transfer_event(pid, "withdraw", user="x", seen_latest=seen)
    # the project was edited after the receiver read it: the acceptance is refused, nothing is written
    transferflow.refer(flow, OFFICE, pid, "port", seen=one(flow, pid).last_id, now=NOW)
    stale_base = base(flow, "TC-PJ-001")
    flow.save("project", [project("TC-PJ-001", investment_wan=60000.0)], user="staff-liuhe", source="form")
    steps = len(flow.transfer_events())
    with pytest.raises(Conflict):
        transferflow.accept(flow, PORT, pid, seen=one(flow, pid).last_id, project_base=stale_base)
    assert len(flow.transfer_events()) == steps and flow.record("project", "TC-PJ-001")["district"] == "liuhe"


def test_the_office_edits_the_split_and_the_acceptance_records_it(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    with pytest.raises(transfers.TransferError):
        transferflow.change_credit(flow, LIUHE, pid, 70, 5, seen=None)
    for percent, years in ((101, 5), (70, 0), (70, 2.5)):
        with pytest.raises(transfers.TransferError):
            transferflow.change_credit(flow, OFFICE, pid, percent, years, seen=None)
    transferflow.change_credit(flow, OFFICE, pid, 70, 3, seen=None, note="首谈地引荐投资方")
    assert one(flow, pid).status == "waiting" and one(flow, pid).split == (70.0, 3)
    accept(flow, SHAXI, pid)
    assert one(flow, pid).accepted.origin_percent == 70 and one(flow, pid).split == (70.0, 3)
    transferflow.change_credit(flow, OFFICE, pid, 60, 5, seen=one(flow, pid).last_id)
    assert one(flow, pid).split == (60.0, 5) and one(flow, pid).status == "accepted"


def test_once_accepted_the_project_may_be_proposed_again_and_a_withdrawn_one_too(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    with pytest.raises(transfers.TransferError):
        transferflow.withdraw(flow, SHAXI, pid, seen=None)
    transferflow.withdraw(flow, LIUHE, pid, seen=None, note="投资方改变主意")
    assert one(flow, pid).status == "withdrawn"
    again = propose(flow, LIUHE, "TC-PJ-001", "port")
    accept(flow, PORT, again)
    assert transfers.proposable(PORT, flow.projects())["code"].tolist() == ["TC-PJ-001"]
    propose(flow, PORT, "TC-PJ-001", None)  # the new host may hand it on


def test_after_settlement_both_districts_get_their_credit_and_the_signing_counts_for_the_destination(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    accept(flow, SHAXI, pid)
    assert transfercredit.transfer_credits(flow).empty  # not settled yet
    moved = flow.record("project", "TC-PJ-001")
    today = dt.date.today()
    flow.save("project", [{**moved, "stage": "registered"}], user="staff-shaxi", source="form", stage_events={"TC-PJ-001": {"on": today}})
    rows = transfercredit.transfer_credits(flow, lambda day: str(day.year))
    assert rows[["district", "role", "share", "investment_credit_cny_wan", "period"]].values.tolist() == [
        ["liuhe", "origin", 0.5, 25_000.0, str(today.year)], ["shaxi", "destination", 0.5, 25_000.0, str(today.year)]]
    zh = transfercredit.table(OFFICE, rows, flow.projects(), "zh", NAMES, str)
    assert zh["身份"].tolist() == ["首谈地", "承接地"] and zh["计入投资额"].tolist() == ["2.50 亿元", "2.50 亿元"]
    assert transfercredit.table(LIUHE, rows, flow.projects(), "en", NAMES, str)["District"].tolist() == ["浏河镇"]
    assert transfercredit.table(PUBLIC, rows, flow.projects(), "en", NAMES, str).empty
    assert "舍弗勒" not in transfercredit.table(LEADER, rows, flow.projects(), "en", NAMES, str).to_csv()
    signed = figures.signed_figures(flow.projects(), flow.stage_events(), flow.duplicate_decisions(), lambda d: "all",
                                    transfers=transferflow.moves(transferflow.load(flow)))
    assert signed[["district", "projects"]].values.tolist() == [["shaxi", 1]]


def test_the_list_shows_status_waiting_days_steps_and_split_by_role(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    propose(flow, SHAXI, "TC-PJ-003", None)
    all_ = transferflow.load(flow)
    later = one(flow, pid).proposed_at + dt.timedelta(days=31)
    office = transferflow.table(OFFICE, all_, flow.projects(), "zh", NAMES, later)
    row = office[office["项目"].str.startswith("TC-PJ-001")].iloc[0]
    assert (row["状态"], row["承接方"], row["本步已等待"]) == ("待承接区镇决定", "沙溪镇", "31 天（超期，可重新转介）")
    assert row["分成"] == "首谈地 50% · 承接地 50% · 5 年（默认）"
    receiving = transferflow.table(SHAXI, all_, flow.projects(), "en", NAMES, later)
    assert "TC-2026-001" in receiving["Project"].tolist() and "TC-PJ-001" not in receiving.to_csv()
    accept(flow, SHAXI, pid)
    after = transferflow.table(SHAXI, transferflow.load(flow), flow.projects(), "en", NAMES, later)
    row = after[after["Project"].str.startswith("TC-PJ-001")].iloc[0]  # now hosted by shaxi: in full
    assert row["Status"] == "Accepted" and row["Waiting in this step"] == "–"
    assert row["Steps"].endswith("Accepted (origin 50% · destination 50% · 5 years) by staff-shaxi, 0 day(s) after the step before")
    leader = transferflow.table(LEADER, transferflow.load(flow), flow.projects(), "en", NAMES, later)
    assert "舍弗勒" not in leader.to_csv() and "TC-PJ" not in leader.to_csv()
    assert transferflow.table(PORT, transferflow.load(flow), flow.projects(), "zh", NAMES, later).empty
    assert transferflow.table(PUBLIC, transferflow.load(flow), flow.projects(), "zh", NAMES, later).empty
    assert not any(c.isascii() and c.isalpha() for c in "".join(office.columns))  # one language


def test_the_steps_table_is_append_only(flow):
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    transferflow.decline(flow, SHAXI, pid, "no_space", seen=None)
    for statement in ("UPDATE transfer_events SET kind = 'accept'", "DELETE FROM transfer_events"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with flow.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert one(flow, pid).status == "declined"


def test_the_days_and_the_default_split_are_rules_an_administrator_edits_in_the_rulebook(flow):
    from heatmap.model import ValidationError
    from heatmap.pipeline import rulebook

    version, document = rulebook.current(flow, "transfers")
    assert version is None and (document["stale_days"], document["origin_percent"], document["credit_years"]) == (30, 50, 5)
    with pytest.raises(ValidationError) as refused:
        rulebook.save(flow, "transfers", {**document, "origin_percent": 120}, user="admin", edited_from=None)
    text = rulebook.problem_text("transfers", refused.value.problems[0], "en")
    assert text == "Origin's share of the credit (%): Must be from 0 to 100."
    rulebook.save(flow, "transfers", {**document, "stale_days": 10, "origin_percent": 60, "credit_years": 3}, user="admin", edited_from=None)
    rules = transfers.rules(flow)
    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    t = one(flow, pid)
    assert transferflow.stale(t, t.since + dt.timedelta(days=10), rules)
    accept(flow, SHAXI, pid)
    assert one(flow, pid).split == (60.0, 3)


def test_after_settlement_both_districts_scoreboard_rows_carry_their_credit(flow):
    from heatmap.pipeline import reports as rp
    from heatmap.pipeline import scoreboard_inputs as si
    from heatmap.pipeline import workflow

    pid = propose(flow, LIUHE, "TC-PJ-001", "shaxi")
    accept(flow, SHAXI, pid)
    moved = flow.record("project", "TC-PJ-001")
    today = workflow.today_in_taicang()
    flow.save("project", [{**moved, "stage": "registered"}], user="staff-shaxi", source="form", stage_events={"TC-PJ-001": {"on": today}})
    board = si.board(flow, rp.period_of(today, workflow.rules(flow)), ["liuhe", "shaxi", "port"], today)
    figures_ = board.figures.set_index("district")
    assert figures_.loc["liuhe", "transfers_out"] == 1 and figures_.loc["shaxi", "transfers_in"] == 1
    assert figures_.loc["liuhe", "transfer_credit_projects"] == 0.5 and figures_.loc["shaxi", "transfer_credit_projects"] == 0.5
    assert figures_.loc["liuhe", "transfer_credit_cny_wan"] == 25_000.0 == figures_.loc["shaxi", "transfer_credit_cny_wan"]
    assert figures_.loc["port", "transfer_credit_projects"] == 0
