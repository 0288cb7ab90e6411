"""The store's pre-evaluation tables: grade evaluations (indicator values saved, grades proposed, confirmed or
returned) and the leading group's decisions on city support. Both are append-only (the database refuses
UPDATE and DELETE); each write states the latest row of the project its writer saw and is refused with
Conflict when another came in between (two people at once)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import pandas as pd
import sqlalchemy as sa

from heatmap.model import Problem
from heatmap.store.records import Conflict
from heatmap.store.rows import _utcnow
from heatmap.store.schema import grade_evaluations_table, support_decisions_table

EVALUATION_KINDS = ("save", "propose", "confirm", "return")
SUPPORT_OUTCOMES = ("approved", "declined", "deferred")


class Grades:
    """Store methods for grade evaluations and support decisions (a mixin: needs `engine`, `_writing_table`, `_rows`)."""

    def _append_checked(self, conn: sa.Connection, table: sa.Table, row: Mapping[str, Any], seen_latest: int | None,
                        key: str) -> int:
        if conn.dialect.name == "postgresql":  # inside another table's transaction: take this table's turn too
            conn.execute(sa.text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))
        latest = conn.execute(sa.select(sa.func.max(table.c.id)).where(table.c.project_code == row["project_code"])).scalar()
        if latest != seen_latest:
            raise Conflict([Problem("", table.name, key, {"code": row["project_code"]})])
        new_id = conn.execute(sa.insert(table).values(**row)).inserted_primary_key[0]
        code = row["project_code"]
        if table is grade_evaluations_table:
            self.audit(f"grade_{row['kind']}", row["recorded_by"], target=code, conn=conn,
                       target_district=self._project_district(conn, code),
                       detail={"evaluation": new_id, "grade": row.get("grade"), "standard": row.get("standard"),
                               "standard_version": row.get("standard_version"), "proposal": row.get("proposal_id"),
                               "note": row.get("note")})
        else:
            self.audit("support_decision", row["decided_by"], target=code, conn=conn,
                       target_district=self._project_district(conn, code),
                       detail={"decision": new_id, "outcome": row["outcome"], "support_wan": row.get("support_wan"),
                               "evaluation": row.get("evaluation_id"), "note": row.get("note")})
        return new_id

    def add_grade_evaluation(self, row: Mapping[str, Any], *, seen_latest: int | None, conn: sa.Connection | None = None,
                             at: dt.datetime | None = None) -> int:
        """Append one evaluation row (kind in EVALUATION_KINDS), the project's latest row having been `seen_latest`
        (None: it had none). Inside another write's transaction when `conn` is given."""
        if row.get("kind") not in EVALUATION_KINDS:
            raise ValueError(f"unknown evaluation kind {row.get('kind')!r}")
        full = {**row, "recorded_at": at or _utcnow()}
        if conn is not None:
            return self._append_checked(conn, grade_evaluations_table, full, seen_latest, "grade_changed_meanwhile")
        with self._writing_table(grade_evaluations_table) as own:
            return self._append_checked(own, grade_evaluations_table, full, seen_latest, "grade_changed_meanwhile")

    def grade_evaluations(self, project_code: str | None = None) -> pd.DataFrame:
        t = grade_evaluations_table
        return self._rows(t, *((t.c.project_code == project_code,) if project_code else ()))

    def add_support_decision(self, row: Mapping[str, Any], *, seen_latest: int | None, at: dt.datetime | None = None) -> int:
        if row.get("outcome") not in SUPPORT_OUTCOMES:
            raise ValueError(f"unknown outcome {row.get('outcome')!r}")
        with self._writing_table(support_decisions_table) as conn:
            return self._append_checked(conn, support_decisions_table, {**row, "decided_at": at or _utcnow()}, seen_latest,
                                        "support_decided_meanwhile")

    def support_decisions(self, project_code: str | None = None) -> pd.DataFrame:
        t = support_decisions_table
        return self._rows(t, *((t.c.project_code == project_code,) if project_code else ()))
