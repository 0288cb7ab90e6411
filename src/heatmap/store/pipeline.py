"""The pipeline's tables beside the versioned project records: stage events, bi-monthly report submissions,
the first-report ledger, the office's duplicate decisions, transfer proposals and versioned rules.

Everything here is only ever added: a correction is a new row pointing at the one it corrects, and the
database itself refuses UPDATE and DELETE (schema.append_only_ddl). Timestamps are the store's clock, never
a value a user typed. Rules are versioned documents: saving one states the version it was edited from, and
a save over a newer version is refused (Conflict), as for records.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping, Sequence

import pandas as pd
import sqlalchemy as sa

from heatmap.model import Problem, ValidationError
from heatmap.store.records import Conflict
from heatmap.store.rows import PROJECT, _canonical, _dump, _insert_many, _load, _utcnow
from heatmap.store.schema import (
    APPEND_ONLY_TABLES,
    append_only_ddl,
    duplicate_decisions_table,
    first_reports_table,
    project_events_table,
    reports_table,
    rules_table,
    transfer_events_table,
    transfer_proposals_table,
)

LEDGER_KINDS = ("register", "correction", "confirm", "withdraw")
DECISIONS = ("same", "different")
STANDARDS_RULES = "grading"  # the rules document of the grading standards (heatmap.pipeline.grading.RULES_NAME)
KEPT_BY_RESET = ("rules", "audit_events")  # an administrator's settings, and the record of what everyone did
TRANSFER_EVENT_KINDS = ("accept", "decline", "refer", "withdraw", "credit_change")


def _as_datetime(value) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


class Pipeline:
    """Store methods for the pipeline's append-only tables (a mixin: needs `engine`, `backend`)."""

    def _rows(self, table: sa.Table, *where, order=None) -> pd.DataFrame:
        query = sa.select(table).where(*where).order_by(*(order or (table.c.id,)))
        with self.engine.connect() as conn:
            result = conn.execute(query)
            return pd.DataFrame(result.all(), columns=list(result.keys()))

    # --- stage events ------------------------------------------------------------------------------

    def add_stage_event(self, project_code: str, stage: str, happened_on: dt.date, *, user: str,
                        reason: str | None = None, note: str | None = None, corrects_id: int | None = None,
                        at: dt.datetime | None = None) -> int:
        """Record that a project reached a stage on a day (checks of the sequence are pipeline.projects')."""
        project = self.record("project", project_code)
        if project is None:
            raise ValidationError([Problem(project_code, "code", "unknown_project", {"code": project_code})])
        with self.engine.begin() as conn:
            event_id = conn.execute(sa.insert(project_events_table).values(
                project_code=project_code, stage=stage, happened_on=happened_on, reason=reason, note=note,
                corrects_id=corrects_id, recorded_by=user, recorded_at=at or _utcnow(),
            )).inserted_primary_key[0]
            self.audit("stage_event", user, target=project_code, target_district=project.get("district"), conn=conn,
                       detail={"event": event_id, "stage": stage, "on": happened_on, "reason": reason, "corrects": corrects_id})
        return event_id

    def _record_stage_events(self, conn: sa.Connection, diff, *, user: str, at: dt.datetime,
                             given: Mapping[str, Mapping[str, Any]]) -> None:
        """The stage events of a version of projects (called by `save` inside its transaction)."""
        rows = []
        for change in diff.changes:
            if change.op == "add" or (change.op == "change" and "stage" in change.fields):
                extra = given.get(change.code, {})
                rows.append({"project_code": change.code, "stage": change.after["stage"],
                             "happened_on": extra.get("on") or at.date(), "reason": extra.get("reason"),
                             "note": extra.get("note"), "corrects_id": None, "recorded_by": user, "recorded_at": at})
        _insert_many(conn, project_events_table, rows)

    def stage_events(self, codes: Sequence[str] | None = None) -> pd.DataFrame:
        t = project_events_table
        where = (t.c.project_code.in_(list(codes)),) if codes is not None else ()
        return self._rows(t, *where, order=(t.c.project_code, t.c.happened_on, t.c.id))

    # --- bi-monthly reports ----------------------------------------------------------------------

    def submit_report(self, district: str, period: str, records: Sequence[Mapping[str, Any]], *, user: str,
                      note: str | None = None, corrects_id: int | None = None, at: dt.datetime | None = None) -> int:
        """Freeze a district's pipeline for a period as submitted. A second submission for the same period
        must name the one it corrects (the latest), so two people submitting at once cannot both win."""
        snapshot = json.dumps([json.loads(_dump(PROJECT, _canonical(PROJECT, r))) for r in records], ensure_ascii=False)
        t = reports_table
        with self.engine.begin() as conn:
            if self.backend == "postgresql":  # submissions of one district and period take turns
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"report:{district}:{period}"})
            latest = conn.execute(sa.select(sa.func.max(t.c.id)).where(t.c.district == district, t.c.period == period)).scalar()
            if latest != corrects_id:
                raise Conflict([Problem("", "report", "report_changed_meanwhile" if latest else "report_corrects_nothing",
                                        {"district": district, "period": period})])
            report_id = conn.execute(sa.insert(t).values(
                district=district, period=period, snapshot=snapshot, n_projects=len(records), corrects_id=corrects_id,
                note=note, submitted_by=user, submitted_at=at or _utcnow(),
            )).inserted_primary_key[0]
            self.audit("report_submit", user, target=period, target_district=district, conn=conn,
                       detail={"report": report_id, "projects": len(records), "corrects": corrects_id, "note": note})
            return report_id

    def reports(self, district: str | None = None, period: str | None = None) -> pd.DataFrame:
        """Every submission (corrections included), oldest first, without the snapshots."""
        t = reports_table
        where = [c == v for c, v in ((t.c.district, district), (t.c.period, period)) if v is not None]
        columns = [c for c in t.c if c.name != "snapshot"]
        query = sa.select(*columns).where(*where).order_by(t.c.id)
        with self.engine.connect() as conn:
            result = conn.execute(query)
            return pd.DataFrame(result.all(), columns=list(result.keys()))

    def report_snapshot(self, report_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            text = conn.execute(sa.select(reports_table.c.snapshot).where(reports_table.c.id == report_id)).scalar()
        if text is None:
            raise ValidationError([Problem(str(report_id), "report", "unknown_report", {"report": report_id})])
        return [_load(PROJECT, json.dumps(rec)) for rec in json.loads(text)]

    # --- first reports (信息首报) ----------------------------------------------------------------

    def append_ledger_entry(self, entry: Mapping[str, Any]) -> int:
        """Append one first-report entry as made by `heatmap.pipeline.ledger.new_entry` (`Entry.to_record()`):
        the id and time it was given must be the next ones when it is written (no one appended in between,
        and the clock did not go back), else Conflict and nothing is written — read the ledger again."""
        return self.append_ledger_entries([entry])[0]

    def append_ledger_entries(self, entries: Sequence[Mapping[str, Any]]) -> list[int]:
        """Append several entries made one after the other from the same reading of the ledger (a registration
        and its confirmation, a merge's corrections, the sample's book) in one transaction: all or none. Their
        ids must follow the last stored one without a gap and their times never go back, else Conflict."""
        t = first_reports_table
        rows = []
        for entry in entries:
            if entry.get("kind") not in LEDGER_KINDS:
                raise ValidationError([Problem(str(entry.get("project_code")), "kind", "not_allowed",
                                               {"value": entry.get("kind")})])
            row = {c.name: entry.get(c.name) for c in t.c}
            row["shares"] = json.dumps(list(entry.get("shares") or []), ensure_ascii=False) if entry.get("shares") else None
            rows.append(row)
        if not rows:
            return []
        refused = Conflict([Problem("", "ledger", "ledger_changed_meanwhile", {"code": rows[0]["project_code"]})])
        try:
            with self._writing_table(t) as conn:  # appends take turns, so ids follow the order of times
                last_id, last_at = conn.execute(sa.select(sa.func.max(t.c.id), sa.func.max(t.c.registered_at))).one()
                last_at = None if last_at is None else _as_datetime(last_at)
                for row in rows:
                    if row["id"] != (last_id or 0) + 1 or (last_at is not None and row["registered_at"] < last_at):
                        raise refused
                    last_id, last_at = row["id"], row["registered_at"]
                _insert_many(conn, t, rows)
                for row in rows:
                    self.audit(f"first_report_{row['kind']}", row["recorded_by"], target=row["project_code"],
                               target_district=self._project_district(conn, row["project_code"]), conn=conn,
                               detail={"entry": row["id"], "registrant_kind": row["registrant_kind"],
                                       "corrects": row["corrects"], "merged_from": row["merged_from"]})
        except Conflict as error:
            if error is refused or not any(p.key == "written_meanwhile" for p in error.problems):
                raise
            raise refused from error  # two appends at once collided on the primary key
        return [row["id"] for row in rows]

    def ledger(self, project_code: str | None = None) -> pd.DataFrame:
        t = first_reports_table
        return self._rows(t, *((t.c.project_code == project_code,) if project_code else ()))

    # --- duplicates decided by the office ----------------------------------------------------------

    def decide_duplicate(self, code_a: str, code_b: str, outcome: str, *, user: str, hosting_district: str | None = None,
                         first_contact_district: str | None = None, note: str | None = None) -> int:
        if outcome not in DECISIONS:
            raise ValidationError([Problem(code_a, "outcome", "not_allowed", {"value": outcome})])
        a, b = sorted((code_a, code_b))
        with self.engine.begin() as conn:
            decision = conn.execute(sa.insert(duplicate_decisions_table).values(
                code_a=a, code_b=b, outcome=outcome, hosting_district=hosting_district,
                first_contact_district=first_contact_district, note=note, decided_by=user, decided_at=_utcnow(),
            )).inserted_primary_key[0]
            self.audit("duplicate_decision", user, target=f"{a} ↔ {b}", target_district=hosting_district, conn=conn,
                       detail={"decision": decision, "outcome": outcome, "hosting_district": hosting_district,
                               "first_contact_district": first_contact_district, "note": note})
        return decision

    def duplicate_decisions(self) -> pd.DataFrame:
        return self._rows(duplicate_decisions_table)

    def decided_pairs(self) -> set[frozenset[str]]:
        """Pairs the office has decided (either way): never raised again."""
        frame = self.duplicate_decisions()
        return {frozenset((a, b)) for a, b in zip(frame["code_a"], frame["code_b"])}

    # --- transfer proposals (拟流转), raised any day ---------------------------------------------------

    def propose_transfer(self, project_code: str, from_district: str, to_district: str | None, reason: str, *,
                         user: str, note: str | None = None, seen_latest: int | None | object = ...,
                         at: dt.datetime | None = None) -> int:
        """Record a transfer proposal (拟流转). With `seen_latest` (the id of the project's latest proposal the
        person saw, None: none), refused with Conflict if another proposal of the project came in between.
        `at` (naive UTC) is for the sample, whose proposals were made in the past; otherwise the store's clock."""
        t = transfer_proposals_table
        with self._writing_table(t) as conn:
            if seen_latest is not ...:
                latest = conn.execute(sa.select(sa.func.max(t.c.id)).where(t.c.project_code == project_code)).scalar()
                if latest != seen_latest:
                    raise Conflict([Problem("", "transfer", "transfer_proposed_meanwhile", {"code": project_code})])
            proposal = conn.execute(sa.insert(t).values(
                project_code=project_code, from_district=from_district, to_district=to_district, reason=reason,
                note=note, proposed_by=user, proposed_at=at or _utcnow(),
            )).inserted_primary_key[0]
            self.audit("transfer_propose", user, target=project_code, target_district=from_district, conn=conn,
                       detail={"proposal": proposal, "to_district": to_district, "reason": reason, "note": note})
            return proposal

    def transfer_proposals(self, district: str | None = None) -> pd.DataFrame:
        t = transfer_proposals_table
        where = (sa.or_(t.c.from_district == district, t.c.to_district == district),) if district else ()
        return self._rows(t, *where)

    # --- what happened to a proposal afterwards ------------------------------------------------------

    def add_transfer_event(self, proposal_id: int, kind: str, *, user: str, seen_latest: int | None,
                           to_district: str | None = None, reason: str | None = None, note: str | None = None,
                           origin_percent: float | None = None, credit_years: int | None = None,
                           project: Mapping[str, Any] | None = None, project_base: Mapping[str, int | None] | None = None,
                           at: dt.datetime | None = None) -> int:
        """Append a step of a transfer (accept, decline, refer, withdraw, credit_change) to proposal
        `proposal_id`. `seen_latest`: the proposal's latest step the person saw (None: none); if another was
        recorded since, Conflict and nothing is written. With `project` (an acceptance: the project's record
        in its destination), the project is saved as a new version in the same transaction, checked against
        `project_base` (what the person read of it): the move and its record are written together or not at all.
        The checks of who may do what are the pipeline's (heatmap.pipeline.transferflow)."""
        if kind not in TRANSFER_EVENT_KINDS:
            raise ValidationError([Problem(str(proposal_id), "kind", "not_allowed", {"value": kind})])
        t = transfer_proposals_table
        with self.engine.connect() as conn:
            code = conn.execute(sa.select(t.c.project_code).where(t.c.id == proposal_id)).scalar()
        if code is None:
            raise ValidationError([Problem(str(proposal_id), "transfer", "unknown_transfer", {"id": proposal_id})])
        at = at or _utcnow()
        row = {"proposal_id": proposal_id, "project_code": code, "kind": kind, "to_district": to_district,
               "reason": reason, "note": note, "origin_percent": origin_percent, "credit_years": credit_years,
               "recorded_by": user, "recorded_at": at}
        written: list[int] = []
        if project is None:
            with self._writing_table(transfer_events_table) as conn:
                written.append(self._append_transfer_event(conn, row, seen_latest))
        else:
            self.save("project", [project], user=user, source="transfer", at=at, district=project.get("district"),
                      note=f"transfer {proposal_id}", expected_base=project_base,
                      along=lambda conn: written.append(self._append_transfer_event(conn, row, seen_latest)))
        if not written:  # the record was already as given: no version, hence no move to record
            raise ValidationError([Problem(code, "district", "transfer_moves_nothing", {"code": code})])
        return written[0]

    def _append_transfer_event(self, conn: sa.Connection, row: Mapping[str, Any], seen_latest: int | None) -> int:
        t = transfer_events_table
        if conn.dialect.name == "postgresql":  # steps take turns (SQLite: the writer already holds the database)
            conn.execute(sa.text(f"LOCK TABLE {t.name} IN SHARE ROW EXCLUSIVE MODE"))
        latest = conn.execute(sa.select(sa.func.max(t.c.id)).where(t.c.proposal_id == row["proposal_id"])).scalar()
        if latest != seen_latest:
            raise Conflict([Problem("", "transfer", "transfer_changed_meanwhile", {"code": row["project_code"]})])
        event = conn.execute(sa.insert(t).values(**row)).inserted_primary_key[0]
        detail = {"proposal": row["proposal_id"], "event": event}
        detail |= {k: row[k] for k in ("to_district", "reason", "note", "origin_percent", "credit_years") if row[k] is not None}
        self.audit(f"transfer_{row['kind']}", row["recorded_by"], target=row["project_code"], detail=detail, conn=conn,
                   target_district=self._project_district(conn, row["project_code"]))
        return event

    def transfer_events(self, proposal_id: int | None = None) -> pd.DataFrame:
        """Every step of every transfer (or of one proposal), oldest first."""
        t = transfer_events_table
        return self._rows(t, *((t.c.proposal_id == proposal_id,) if proposal_id is not None else ()))

    # --- rules: versioned documents ------------------------------------------------------------------

    def rules(self, name: str) -> tuple[int, dict] | None:
        """The newest version of a rules document and its content (None: never saved, use the defaults)."""
        t = rules_table
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.c.version, t.c.document).where(t.c.name == name)
                               .order_by(t.c.version.desc()).limit(1)).first()
        return None if row is None else (row.version, json.loads(row.document))

    def rules_at(self, name: str, version: int) -> dict:
        t = rules_table
        with self.engine.connect() as conn:
            text = conn.execute(sa.select(t.c.document).where(t.c.name == name, t.c.version == version)).scalar()
        if text is None:
            raise ValidationError([Problem(name, "version", "unknown_version", {"version": version})])
        return json.loads(text)

    def save_rules(self, name: str, document: Mapping[str, Any], *, user: str, edited_from: int | None,
                   note: str | None = None) -> int:
        """Save a new version of a rules document, edited from version `edited_from` (None: the defaults).
        Refused with Conflict if someone saved a newer version in between."""
        t = rules_table
        try:
            with self.engine.begin() as conn:
                current = conn.execute(sa.select(sa.func.max(t.c.version)).where(t.c.name == name)).scalar()
                if current != edited_from:
                    raise Conflict([Problem("", "rules", "rules_changed_meanwhile", {"name": name, "version": current})])
                version = (current or 0) + 1
                conn.execute(sa.insert(t).values(name=name, version=version, document=json.dumps(document, ensure_ascii=False),
                                                 note=note, created_by=user, created_at=_utcnow()))
                self.audit("standard_change" if name == STANDARDS_RULES else "rules_change", user, target=name, conn=conn,
                           detail={"version": version, "edited_from": edited_from, "note": note})
        except sa.exc.IntegrityError as error:  # two saves of the same version at once: the unique key decides
            raise Conflict([Problem("", "rules", "rules_changed_meanwhile", {"name": name, "version": edited_from})]) from error
        return version

    def rules_history(self, name: str) -> pd.DataFrame:
        t = rules_table
        return self._rows(t, t.c.name == name, order=(t.c.version,))

    # --- the sample's reset --------------------------------------------------------------------------

    def _clear_pipeline(self, conn: sa.Connection) -> None:
        """Empty the append-only tables, for `clear_records` (the sample replacing a demo database): the
        guards are lifted and put back inside the same transaction. Rules and the audit trail stay."""
        for name in APPEND_ONLY_TABLES:
            if name in KEPT_BY_RESET:
                continue
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_append_only ON {name}")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_no_delete")
            conn.exec_driver_sql(f"DELETE FROM {name}")
            for statement in append_only_ddl(name, conn.dialect.name):
                conn.exec_driver_sql(statement)
