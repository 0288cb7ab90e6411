"""Store methods for signed-in sessions and sign-in attempts (a mixin: needs `engine`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from heatmap.store.schema import sessions_table, sign_in_attempts_table, users_table


class Sessions:
    # --- sessions ----------------------------------------------------------------------------------

    def add_session(self, token_hash: str, username: str, now: dt.datetime, expires_at: dt.datetime,
                    client: str | None = None, user_agent: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(sessions_table).values(
                token_hash=token_hash, username=username, created_at=now, last_seen_at=now, expires_at=expires_at,
                client=(client or "")[:64] or None, user_agent=(user_agent or "")[:300] or None))
            conn.execute(sa.update(users_table).where(users_table.c.username == username).values(last_sign_in_at=now))

    def session(self, token_hash: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sessions_table).where(sessions_table.c.token_hash == token_hash)).mappings().first()
        return dict(row) if row else None

    def touch_session(self, token_hash: str, now: dt.datetime) -> None:
        t = sessions_table
        with self.engine.begin() as conn:
            conn.execute(sa.update(t).where(t.c.token_hash == token_hash, t.c.revoked_at.is_(None)).values(last_seen_at=now))

    def revoke_sessions(self, now: dt.datetime, *, token_hash: str | None = None, username: str | None = None,
                        keep: str | None = None) -> int:
        """End one session (by its token's hash) or every open session of a user (but `keep`); how many ended."""
        t = sessions_table
        query = sa.update(t).where(t.c.revoked_at.is_(None))
        if token_hash is not None:
            query = query.where(t.c.token_hash == token_hash)
        elif username is not None:
            query = query.where(t.c.username == username)
        else:
            raise ValueError("revoke_sessions needs a token_hash or a username")
        if keep is not None:
            query = query.where(t.c.token_hash != keep)
        with self.engine.begin() as conn:
            return conn.execute(query.values(revoked_at=now)).rowcount

    def open_sessions(self, username: str, now: dt.datetime) -> list[dict[str, Any]]:
        t = sessions_table
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t).where(t.c.username == username, t.c.revoked_at.is_(None),
                                                   t.c.expires_at > now).order_by(t.c.last_seen_at.desc())).mappings().all()
        return [dict(r) for r in rows]

    # --- sign-in attempts -----------------------------------------------------------------------------

    def add_sign_in_attempt(self, username: str, client: str, ok: bool, at: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(sign_in_attempts_table).values(username=username[:80], client=client[:64], ok=ok, at=at))

    def sign_in_failures(self, since: dt.datetime, *, username: str | None = None, client: str | None = None) -> list[dt.datetime]:
        """When the failed attempts since `since` happened, oldest first: of one account after its last
        successful sign-in, or of one client."""
        t = sign_in_attempts_table
        query = sa.select(t.c.at).where(t.c.at >= since, t.c.ok.is_(False)).order_by(t.c.at)
        if username is not None:
            last_ok = sa.select(sa.func.max(t.c.at)).where(t.c.username == username, t.c.ok.is_(True)).scalar_subquery()
            query = query.where(t.c.username == username, sa.or_(last_ok.is_(None), t.c.at > last_ok))
        if client is not None:
            query = query.where(t.c.client == client)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())



