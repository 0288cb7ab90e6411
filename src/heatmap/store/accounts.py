"""Accounts and what the public sends: local users, and the inquiries investors leave for a site."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import pandas as pd
import sqlalchemy as sa

from heatmap.model import Problem, ValidationError

from heatmap.store.rows import _utcnow
from heatmap.store.schema import inquiries_table, users_table


class Accounts:
    """Store methods for accounts and inquiries (a mixin: needs `engine`)."""

    # --- inquiries (在线咨询) ----------------------------------------------------------------------

    def add_inquiry(self, inquiry: Mapping[str, Any], at: dt.datetime | None = None) -> int:
        """Store an investor's question about a public carrier; it goes to the carrier's district."""
        from heatmap.inquiries import validate

        problems = validate(inquiry)
        carrier = self.record("carrier", inquiry.get("carrier_code") or "")
        if carrier is None or not carrier.get("is_public"):
            problems.append(Problem("inquiry", "carrier_code", "unknown_carrier", {"code": inquiry.get("carrier_code")}))
        if problems:
            raise ValidationError(problems)
        values = {k: (inquiry.get(k) or "").strip() or None for k in ("name", "company", "contact", "message", "lang")}
        with self.engine.begin() as conn:
            inquiry_id = conn.execute(sa.insert(inquiries_table).values(
                carrier_code=carrier["code"], district=carrier["district"], created_at=at or _utcnow(), status="open", **values,
            )).inserted_primary_key[0]
            self.audit("inquiry_receive", target=carrier["code"], target_district=carrier["district"], conn=conn,
                       detail={"inquiry": inquiry_id, "lang": values["lang"]})
            return inquiry_id

    def inquiries(self, district: str | None = None) -> pd.DataFrame:
        """Inquiries, newest first; of one district, or all."""
        t = inquiries_table
        query = sa.select(t).order_by(t.c.id.desc())
        if district is not None:
            query = query.where(t.c.district == district)
        with self.engine.connect() as conn:
            result = conn.execute(query)
            return pd.DataFrame(result.all(), columns=list(result.keys()))

    def mark_answered(self, inquiry_id: int, user: str) -> None:
        t = inquiries_table
        with self.engine.begin() as conn:
            asked = conn.execute(sa.select(t.c.carrier_code, t.c.district).where(t.c.id == inquiry_id)).first()
            conn.execute(sa.update(t).where(t.c.id == inquiry_id).values(status="answered", answered_by=user,
                                                                         answered_at=_utcnow()))
            if asked is not None:
                self.audit("inquiry_answer", user, target=asked.carrier_code, target_district=asked.district, conn=conn,
                           detail={"inquiry": inquiry_id})

    # --- users -----------------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str, district: str | None = None, display_name: str | None = None,
                 must_change_password: bool = False) -> None:
        """Create or replace a local account."""
        now = _utcnow()
        with self.engine.begin() as conn:
            conn.execute(sa.delete(users_table).where(users_table.c.username == username))
            conn.execute(sa.insert(users_table).values(
                username=username, password_hash=password_hash, role=role, district=district,
                display_name=display_name or username, active=True, created_at=now, password_changed_at=now,
                must_change_password=must_change_password,
            ))

    def update_user(self, username: str, **values: Any) -> bool:
        """Change an account's role, district, display name, active flag or password hash; False if none."""
        allowed = {"role", "district", "display_name", "active", "password_hash", "must_change_password", "password_changed_at"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not an account field: {sorted(unknown)}")
        with self.engine.begin() as conn:
            return conn.execute(sa.update(users_table).where(users_table.c.username == username).values(**values)).rowcount == 1

    def user(self, username: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users_table).where(users_table.c.username == username)).mappings().first()
        return dict(row) if row else None

    def users(self) -> pd.DataFrame:
        t = users_table
        with self.engine.connect() as conn:
            result = conn.execute(sa.select(t.c.username, t.c.role, t.c.district, t.c.display_name, t.c.active, t.c.created_at,
                                            t.c.last_sign_in_at, t.c.must_change_password).order_by(t.c.username))
            return pd.DataFrame(result.all(), columns=list(result.keys()))
