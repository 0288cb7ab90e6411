"""Creating the database on first start and loading the sample into it."""
from __future__ import annotations

import datetime as dt

from heatmap import auth, config, sample
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
    first-report ledger (信息首报)."""
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
        store.save("project", data.project_states[k], user=SAMPLE_USER, source="sample", note=note, at=at, today=end)
    _submit_sample_reports(store, data)
    book = firstreports.book(sample.first_reports(data.projects, data.period_ends[-1], seed=seed))
    store.append_ledger_entries([entry.to_record() for entry in book])
    _record_sample_gradings(store, data, version, standards)
    store.set_meta("dataset", "sample")
    store.set_meta("data_date", data.period_ends[-1].isoformat())
    if config.demo_accounts() if accounts is None else accounts:
        for account in sample.demo_accounts(store.district_codes()):
            auth.create_user(store, password=sample.DEMO_PASSWORD, **account)
    return data


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
