"""Creating the database on first start and loading the sample into it."""
from __future__ import annotations

import datetime as dt

from heatmap import audit, auth, config, sample
from heatmap.pipeline import evaluations, firstreports
from heatmap.store import Store

SAMPLE_USER = "sample"


def ensure_database(store: Store, *, sample_if_empty: bool | None = None) -> None:
    """Create the schema and reference districts; fill a new database with the sample (embedded default)."""
    store.create_schema()
    if not store.district_codes():
        store.save_districts(sample.district_records())
    if store.is_empty():
        if config.auto_sample() if sample_if_empty is None else sample_if_empty:
            load_sample(store)
        store.set_meta("initialized", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def load_sample(
    store: Store,
    n_carriers: int = 1500,
    n_projects: int = 300,
    *,
    seed: int = sample.SEED,
    history: bool = True,
    accounts: bool | None = None,
) -> sample.Sample:
    """Replace all carriers and projects with the sample, one version per bi-monthly period, and its
    first-report ledger (信息首报). The audit trail stays, and records the load as one act (`sample_load`): the
    sample's own made-up history is not written to it row by row."""
    with audit.unrecorded():
        data = _load_sample(store, n_carriers, n_projects, seed=seed, history=history, accounts=accounts)
    store.audit("sample_load", actor=audit.current().actor or SAMPLE_USER,
                detail={"carriers": len(data.carriers), "projects": len(data.projects), "versions": len(data.period_ends),
                        "seed": seed})
    return data


def _load_sample(store: Store, n_carriers: int, n_projects: int, *, seed: int, history: bool,
                 accounts: bool | None) -> sample.Sample:
    data = sample.generate(n_carriers, n_projects, seed=seed, history=history)
    _give_code_names(data.project_states, store)
    store.clear_records()
    version, standards = evaluations.version_in_force(store, SAMPLE_USER)
    sample.set_grades(data, standards)  # graded by the standards in force (an administrator's, if saved)
    store.save_districts(data.districts)
    for k, end in enumerate(data.period_ends):
        at = dt.datetime.combine(end, dt.time(18, 0))
        note = f"sample: bi-monthly report {end.isoformat()}"
        store.save("carrier", data.carrier_states[k], user=SAMPLE_USER, source="sample", note=note, at=at, today=end)
        stops = {r["code"]: {"reason": data.stop_reasons[r["code"]]} for r in data.project_states[k] if r["code"] in data.stop_reasons}
        store.save("project", data.project_states[k], user=SAMPLE_USER, source="sample", note=note, at=at, today=end,
                   stage_events=stops)
    _submit_sample_reports(store, data)
    book = firstreports.book(sample.first_reports(data.projects, data.period_ends[-1], seed=seed))
    store.append_ledger_entries([entry.to_record() for entry in book])
    _record_sample_gradings(store, data, version, standards)
    _sample_transfers(store, data)
    store.set_meta("dataset", "sample")
    store.set_meta("data_date", data.period_ends[-1].isoformat())
    if config.demo_accounts() if accounts is None else accounts:
        for account in sample.demo_accounts(store.district_codes()):
            auth.create_user(store, password=sample.DEMO_PASSWORD, check_strength=False, **account)
    return data


def _sample_transfers(store: Store, data: sample.Sample, now: dt.datetime | None = None) -> None:
    """The sample's transfers (sample.TRANSFER_STORIES), dated back from `now` (the load): one accepted and
    settled (so both districts' credit shows), one waiting, one declined, one waiting past the stale days,
    one referred from the office's pool. A step never comes before the sample's last version."""
    from heatmap.access import Role, Viewer
    from heatmap.pipeline import transferflow

    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    last = dt.datetime.combine(data.period_ends[-1], dt.time(18, 0))
    office = Viewer("office", Role.OFFICE)
    for plan in sample.transfer_plan(data.projects, [d["code"] for d in data.districts]):
        staff = {"origin": plan["origin"], "receiver": plan["receiver"]}
        proposal = None
        for minute, (kind, days_ago, who) in enumerate(plan["steps"]):
            at = max(now - dt.timedelta(days=days_ago), last + dt.timedelta(minutes=minute + 1)) if kind in ("accept", "settle") \
                else now - dt.timedelta(days=days_ago)
            viewer = office if who == "office" else Viewer(sample.STAFF_OF.format(staff[who]), Role.STAFF, staff[who])
            seen = None if proposal is None else transferflow.find(store, proposal).last_id
            if kind in ("propose", "propose_to_pool"):
                proposal = store.propose_transfer(plan["project_code"], plan["origin"], plan["receiver"] if kind == "propose" else None,
                                                  plan["reason"], user=viewer.username, note="sample", at=at)
            elif kind == "accept":
                record = store.record("project", plan["project_code"])
                transferflow.accept(store, viewer, proposal, seen=seen, project_base={record["code"]: _version_of(store, record["code"])},
                                    at=at)
            elif kind == "decline":
                transferflow.decline(store, viewer, proposal, plan["reason"], seen=seen, at=at)
            elif kind == "refer":
                transferflow.refer(store, viewer, proposal, plan["receiver"], seen=seen, now=at, at=at)
            elif kind == "settle":
                record = store.record("project", plan["project_code"])
                store.save("project", [{**record, "stage": "registered"}], user=viewer.username, source="sample", at=at,
                           note="sample: registered after its transfer", district=record["district"],
                           stage_events={record["code"]: {"on": at.date()}})


def _version_of(store: Store, code: str) -> int:
    projects = store.projects()
    return int(projects.loc[projects["code"] == code, "version_id"].iloc[0])


def _record_sample_gradings(store: Store, data: sample.Sample, version: int, standards: dict) -> None:
    """The sample's pre-evaluations as the districts and the office made them: values saved (not rated yet),
    grades proposed by the district's staff, and most confirmed by the office, under standards `version`."""
    from heatmap.pipeline import grading

    districts = {p["code"]: p["district"] for p in data.projects}
    for code, made in sorted(data.gradings.items()):
        if code not in districts:
            continue
        result = grading.grade_with(made["inputs"], standards, grading.standard_of(standards, made["standard"]), version)
        kind = "save" if made["status"] == "saved" else "propose"
        proposed_at = dt.datetime.combine(made["proposed_on"], dt.time(2, 30))  # 10:30 in Taicang
        row = evaluations.row_of(code, kind, result, made["inputs"], sample.STAFF_OF.format(districts[code]), None)
        proposal = store.add_grade_evaluation(row, seen_latest=None, at=proposed_at)
        if made["status"] == "confirmed":
            confirm = evaluations.row_of(code, "confirm", result, made["inputs"], "office", None, proposal)
            store.add_grade_evaluation(confirm, seen_latest=proposal, at=dt.datetime.combine(made["confirmed_on"], dt.time(7, 0)))


def _give_code_names(states, store: Store | None = None) -> None:
    """Every sample project gets its neutral code name (代号) by the code-name rules in force in `store`
    (None: the defaults), the same in every period's state."""
    from heatmap.pipeline import projects as pj
    from heatmap.pipeline import rulebook

    rules = pj.DEFAULT_RULES if store is None else rulebook.rules(store, "projects")
    names: dict[str, str] = {}
    newest: dict[str, str] = {}  # per prefix and year ("TC-2026"): the newest name, which the next one follows
    for state in states:
        for record in sorted(state, key=lambda r: r["code"]):
            if record["code"] not in names:
                name = pj.code_name(record, newest.values(), rules)
                names[record["code"]] = newest[name.rsplit("-", 1)[0]] = name
            record["code_name"] = names[record["code"]]


def _submit_sample_reports(store: Store, data: sample.Sample) -> None:
    """The districts' reports of the sample's last periods, frozen from the pipeline as it stood at each
    period's end, as a district would submit it (sample.report_schedule says who sent which when)."""
    from heatmap.pipeline import reports, workflow

    rules = workflow.rules(store)
    frames = {}
    for end, district, at in sample.report_schedule(data.period_ends, [d["code"] for d in data.districts], lambda e: reports.period_of(e, rules).due):
        if end not in frames:
            frames[end] = store.frame_at("project", dt.datetime.combine(end, dt.time.max))
        workflow.submit(store, district, reports.period_of(end, rules), frames[end], user=sample.STAFF_OF.format(district),
                        note="sample", at=at)
