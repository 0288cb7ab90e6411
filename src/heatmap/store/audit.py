"""The audit trail: one row per act — who (account, role, district), when (UTC), what (an action code of
heatmap.audit.ACTIONS, its target and the target's district, details as JSON) and from where (client address,
user agent). Rows are only ever added; the database refuses UPDATE, DELETE and (PostgreSQL) TRUNCATE of them.

The store's own writes (records saved and rolled back, reports, the ledger, decisions, transfers, rules,
grades) call `audit(..., conn=conn)` inside their transaction, so the trail and the tables never disagree: a
change that is rolled back leaves no row, and no change is written without one. Whatever the caller does not
say (role, district, client, user agent, and the actor itself) comes from heatmap.audit's current context.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping, Sequence

import pandas as pd
import sqlalchemy as sa

from heatmap import audit as context
from heatmap.store.rows import _utcnow
from heatmap.store.schema import audit_events_table, projects_table

AUDIT_COLUMNS = ("id", "at", "actor", "role", "district", "action", "target", "target_district", "detail", "client",
                 "user_agent")


def _detail_json(detail: Mapping[str, Any] | None) -> str | None:
    given = {k: v for k, v in (detail or {}).items() if v is not None}  # nothing said: left out
    if not given:
        return None
    return json.dumps(given, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    """JSON for the values details hold besides str/int/float/bool/list: dates, numpy numbers, tuples, sets."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


class Audit:
    """Store methods for the audit trail (a mixin: needs `engine`)."""

    def audit(self, action: str, actor: str | None = None, *, role: str | None = None, district: str | None = None,
              target: Any = None, target_district: str | None = None, detail: Mapping[str, Any] | None = None,
              client: str | None = None, user_agent: str | None = None, at: dt.datetime | None = None,
              conn: sa.Connection | None = None) -> int | None:
        """Record one act; returns the row's id. With `conn`, inside that (open) transaction: written with it or
        not at all. `actor`, `client` and `user_agent` not given come from the current context (heatmap.audit),
        and so do `role` and `district` when the actor is the context's. `at` (naive UTC) defaults to now.
        Raises ValueError for an action code heatmap.audit.ACTIONS does not list. Returns None, writing nothing,
        only while the sample is loaded (heatmap.audit.unrecorded)."""
        if action not in context.ACTIONS:
            raise ValueError(f"unknown audit action {action!r}: add it to heatmap.audit.ACTIONS and the i18n catalog")
        current = context.current()
        if not current.recording:
            return None
        if actor is None:
            actor = current.actor
        if actor is not None and actor == current.actor:
            role = role if role is not None else current.role
            district = district if district is not None else current.district
        row = {
            "at": at or _utcnow(), "actor": actor, "role": role, "district": district, "action": action,
            "target": None if target is None else str(target), "target_district": target_district,
            "detail": _detail_json(detail), "client": (client or current.client or "")[:200] or None,
            "user_agent": user_agent or current.user_agent,
        }
        insert = sa.insert(audit_events_table).values(**row)
        if conn is not None:
            return conn.execute(insert).inserted_primary_key[0]
        with self.engine.begin() as own:
            return own.execute(insert).inserted_primary_key[0]

    def audit_events(self, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
                     actor: str | None = None, action: str | Sequence[str] | None = None, district: str | None = None,
                     limit: int | None = None) -> pd.DataFrame:
        """The trail, newest first: rows at or after `since` and before `until` (naive UTC), of one actor, of one
        action code or any of several, concerning one district (the actor's or the target's), at most `limit`.
        Text not recorded comes back as None, `detail` as a dict (empty when there is none)."""
        t = audit_events_table
        where = []
        if since is not None:
            where.append(t.c.at >= since)
        if until is not None:
            where.append(t.c.at < until)
        if actor is not None:
            where.append(t.c.actor == actor)
        if action is not None:
            where.append(t.c.action == action if isinstance(action, str) else t.c.action.in_(list(action)))
        if district is not None:
            where.append(sa.or_(t.c.district == district, t.c.target_district == district))
        query = sa.select(t).where(*where).order_by(t.c.at.desc(), t.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        for name in ("actor", "role", "district", "action", "target", "target_district", "client", "user_agent"):
            frame[name] = pd.Series([v if isinstance(v, str) else None for v in frame[name]], index=frame.index, dtype=object)
        frame["detail"] = [json.loads(d) if isinstance(d, str) else {} for d in frame["detail"]]
        return frame

    def audit_actors(self) -> list[str]:
        """Every account that appears in the trail, sorted (the audit page's choice of actor)."""
        t = audit_events_table
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(t.c.actor).where(t.c.actor.is_not(None)).distinct().order_by(t.c.actor))
                        .scalars())

    def _project_district(self, conn: sa.Connection, code: str) -> str | None:
        """A project's district as stored (for the target district of an act on it), None if not stored."""
        return conn.execute(sa.select(projects_table.c.district).where(projects_table.c.code == code)).scalar()
