"""The versioned-record engine that carriers and projects share: read, compare (diff), validate and save as
one version with its history, writers taking turns; earlier states replayed from history; rollback."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.exc

from heatmap import config
from heatmap.bulk import fewer_collections
from heatmap.model import Problem, ValidationError
from heatmap.store.rows import (
    CARRIER,
    ENTITIES,
    PROJECT,
    PREVIOUS_GEOMETRY,
    Entity,
    _canonical,
    _clean,
    _chunks,
    _dump,
    _load,
    _row_to_record,
    _rows_for_write,
    _insert_many,
    _same,
    _split_list,
    _utcnow,
    records_frame,
)
from heatmap.store.schema import SRID, carriers_table, changes_table, reports_table, rules_table, versions_table

# --- diffs ---------------------------------------------------------------------------------------


@dataclass
class RecordChange:
    op: str  # add | change | remove | same
    code: str
    before: dict[str, Any] | None = None  # whole stored record (change, remove, same)
    after: dict[str, Any] | None = None  # whole incoming record (add, change, same)
    fields: tuple[str, ...] = ()  # the fields that differ (change)


@dataclass
class Diff:
    entity: str
    changes: list[RecordChange] = field(default_factory=list)
    # What the diff was computed from: each code it looked at (the incoming ones and, replacing, the stored
    # ones it would remove) -> the version that last wrote the stored record, None where none is stored.
    base: dict[str, int | None] = field(default_factory=dict)

    def of(self, op: str) -> list[RecordChange]:
        return [c for c in self.changes if c.op == op]

    @property
    def counts(self) -> dict[str, int]:
        out = {"add": 0, "change": 0, "remove": 0, "same": 0}
        for c in self.changes:
            out[c.op] += 1
        return out

    @property
    def is_empty(self) -> bool:
        return not any(c.op != "same" for c in self.changes)


# The sources of a version whose audit row the version itself writes (a form's edit: carrier_edit / project_edit).
AUDITED_SOURCES = {"upload": "upload_commit", "cli": "upload_commit", "rollback": "rollback"}
AUDITED_CODES = 50  # a version touching at most this many records names them in its audit row


def _hash_file(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Conflict(ValidationError):
    """The stored records a change was computed from changed before it could be written (another
    person's commit or rollback came first). Nothing was written: compare again and retry."""


class StoreBusy(ValidationError):
    """Another writer held the store for longer than the wait (config.lock_wait_seconds). Nothing was written."""


def conflict(codes: Sequence[str]) -> Conflict:
    """The refusal of a change whose records (these codes) moved on since it was computed."""
    codes = sorted(codes)
    if not codes:
        return Conflict([Problem("", "store", "written_meanwhile")])
    shown = "、".join(codes[:10]) + ("…" if len(codes) > 10 else "")
    return Conflict([Problem("", "store", "changed_since_preview", {"n": len(codes), "codes": shown})])


class Records:
    """Store methods for versioned records (a mixin: needs `engine`, `backend`, `district_codes`)."""

    # --- reading records -------------------------------------------------------------------------

    def _frame(self, entity: Entity, where=None) -> gpd.GeoDataFrame:
        table = entity.table
        query = sa.select(table).order_by(table.c.code)
        if where is not None:
            query = query.where(where)
        with self.engine.connect() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        if "industries" in frame:
            frame["industries"] = frame["industries"].map(_split_list)
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(frame["geometry"], crs=SRID), crs=SRID)

    def frame_at(self, entity_name: str, at: dt.datetime) -> gpd.GeoDataFrame:
        """The records as they stood at a moment, shaped like `carriers()` / `projects()`."""
        return records_frame(entity_name, self.state_at(entity_name, at=at).values())

    def version_dates(self, entity_name: str) -> list[dt.datetime]:
        """When each version of an entity was saved, oldest first."""
        t = versions_table
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(t.c.created_at).where(t.c.entity == entity_name).order_by(t.c.id)).scalars())

    def carriers(self, *, public_only: bool = False, bbox: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
        """Current carriers as a GeoDataFrame (WGS-84); `bbox` = (min_lon, min_lat, max_lon, max_lat)."""
        t = carriers_table
        conditions = []
        if public_only:
            conditions.append(t.c.is_public.is_(True))
        if bbox is not None:
            conditions.append(self._bbox_condition(t, bbox))
        return self._frame(CARRIER, sa.and_(*conditions) if conditions else None)

    def projects(self) -> gpd.GeoDataFrame:
        """Current projects. Confidential: callers pass the frame through `access` before showing it."""
        return self._frame(PROJECT)

    def _bbox_condition(self, table: sa.Table, bbox):
        min_lon, min_lat, max_lon, max_lat = bbox
        if self.backend == "postgresql":  # the GiST index answers this
            envelope = sa.func.ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, SRID)
            return sa.func.ST_Intersects(table.c.geometry, envelope)
        # SQLite: the point on each geometry, through the lon/lat index
        return sa.and_(table.c.lon.between(min_lon, max_lon), table.c.lat.between(min_lat, max_lat))

    def record(self, entity_name: str, code: str) -> dict[str, Any] | None:
        entity = ENTITIES[entity_name]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(entity.table).where(entity.table.c.code == code)).mappings().first()
        return None if row is None else _row_to_record(entity, row)

    def count(self, entity_name: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(ENTITIES[entity_name].table)).scalar_one()

    def data_version(self) -> int:
        """Grows with every saved version, every submitted report and every saved version of a rules
        document (all only ever added): a cheap key for caches of derived data, so figures derived by rules
        (due dates, counting, the city report) follow a rules change too."""
        newest = [sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0)).scalar_subquery()
                  for t in (versions_table, reports_table, rules_table)]
        with self.engine.connect() as conn:
            return conn.execute(sa.select(newest[0] + newest[1] + newest[2])).scalar_one()

    # --- diff and save ---------------------------------------------------------------------------

    def owners(self, entity_name: str, codes: Sequence[str]) -> dict[str, str]:
        """The district each of these codes is stored under (codes not stored are left out)."""
        table = ENTITIES[entity_name].table
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(codes)):
                out.update(conn.execute(sa.select(table.c.code, table.c.district).where(table.c.code.in_(chunk))).all())
        return out

    def stored_records(self, entity_name: str, codes: Sequence[str],
                       base: dict[str, int | None] | None = None) -> dict[str, dict[str, Any]]:
        """The stored records with these codes, by code (codes not stored are left out). With `base`, it
        is filled with each code's last writing version (None: not stored), the form `Diff.base` has."""
        if base is not None:
            base.update(dict.fromkeys(codes))
        with self.engine.connect() as conn:
            return self._stored(conn, ENTITIES[entity_name], list(codes), base)

    def _stored(self, conn: sa.Connection, entity: Entity, codes: Sequence[str],
                base: dict[str, int | None] | None = None) -> dict[str, dict[str, Any]]:
        """The stored records with these codes; with `base`, also notes the version that last wrote each."""
        out: dict[str, dict[str, Any]] = {}
        table = entity.table
        for chunk in _chunks(codes):
            for row in conn.execute(sa.select(table).where(table.c.code.in_(chunk))).mappings():
                out[row["code"]] = _row_to_record(entity, row)
                if base is not None:
                    base[row["code"]] = row["version_id"]
        return out

    def diff(
        self,
        entity_name: str,
        records: Sequence[Mapping[str, Any]],
        *,
        remove_missing_in_district: str | None = None,
        remove_missing_kind: str | None = None,
        conn: sa.Connection | None = None,
    ) -> Diff:
        """Compare incoming records with what is stored, by code, without writing anything.

        With `remove_missing_in_district`, stored records of that district (and, with
        `remove_missing_kind`, of that carrier kind only) absent from `records` are listed as removed
        ("replace my district's plant buildings").
        """
        entity = ENTITIES[entity_name]
        incoming = [_canonical(entity, entity.defaults(r)) for r in records]
        codes = [r["code"] for r in incoming]

        def run(c: sa.Connection) -> Diff:
            result = Diff(entity_name, base=dict.fromkeys(codes))
            stored = self._stored(c, entity, codes, result.base)
            for rec in incoming:
                old = stored.get(rec["code"])
                if old is None:
                    result.changes.append(RecordChange("add", rec["code"], None, rec))
                    continue
                changed = tuple(f.name for f in entity.fields if not _same(f, old.get(f.name), rec.get(f.name)))
                result.changes.append(RecordChange("change" if changed else "same", rec["code"], old, rec, changed))
            if remove_missing_in_district:
                t = entity.table
                present = set(codes)
                query = sa.select(t).where(t.c.district == remove_missing_in_district)
                if remove_missing_kind:
                    query = query.where(t.c.kind == remove_missing_kind)
                rows = c.execute(query).mappings()
                for row in rows:
                    if row["code"] not in present:
                        result.changes.append(RecordChange("remove", row["code"], _row_to_record(entity, row)))
                        result.base[row["code"]] = row["version_id"]
            return result

        if conn is not None:
            return run(conn)
        with self.engine.connect() as c:
            return run(c)

    def validate(self, entity_name: str, records: Sequence[Mapping[str, Any]], today: dt.date | None = None) -> list[Problem]:
        """Every problem with a batch of records, including codes repeated within the batch."""
        entity = ENTITIES[entity_name]
        districts = self.district_codes()
        problems: list[Problem] = []
        seen: set[str] = set()
        records = [entity.defaults(rec) for rec in records]
        for rec, found in zip(records, entity.validate_many(records, districts=districts, today=today)):
            problems += found
            code = rec.get("code")
            if isinstance(code, str) and code:
                if code in seen:
                    problems.append(Problem(code, "code", "duplicate_code", {"code": code}))
                seen.add(code)
        return problems

    @fewer_collections()
    def save(
        self,
        entity_name: str,
        records: Sequence[Mapping[str, Any]],
        *,
        user: str,
        source: str,
        remove_codes: Sequence[str] = (),
        remove_missing_in_district: str | None = None,
        remove_missing_kind: str | None = None,
        file_name: str | None = None,
        file_bytes: bytes | None = None,
        note: str | None = None,
        district: str | None = None,
        at: dt.datetime | None = None,
        reverts_version_id: int | None = None,
        today: dt.date | None = None,
        expected_base: Mapping[str, int | None] | None = None,
        stage_events: Mapping[str, Mapping[str, Any]] | None = None,
        along: Callable[[sa.Connection], Any] | None = None,
    ) -> tuple[int | None, Diff]:
        """Validate, then write records (added or changed) and removals as one new version.

        Raises ValidationError, writing nothing, if any record has an error. Returns the new version's
        id (None when nothing differs from what is stored) and the diff that was applied. For projects, each
        new project and each stage change is also recorded as a stage event in the same transaction, on the
        day `stage_events[code]["on"]` says (with its reason and note), else the version's day.

        Writers of one entity take turns (`_writing`): the diff is computed and written while no one else
        can write, so it is always the difference from what is stored at that moment. With `expected_base`
        (a preview's `Diff.base`), the write is refused with `Conflict` if any record it touches was
        written since that preview, or a record to remove appeared: nothing the person did not see is
        overwritten. Raises `StoreBusy` if another writer held the store longer than the wait.

        `along(conn)` is called inside the same transaction once the version is written, or when the records
        need no new version (a record of the decision that made it: an accepted transfer, a grade's
        confirmation): if it raises, nothing at all is written.
        """
        entity = ENTITIES[entity_name]
        problems = [p for p in self.validate(entity_name, records, today=today) if p.severity == "error"]
        if problems:
            raise ValidationError(problems)
        at = at or _utcnow()
        with self._writing(entity) as conn:
            diff = self.diff(entity_name, records, remove_missing_in_district=remove_missing_in_district,
                             remove_missing_kind=remove_missing_kind, conn=conn)
            listed = {c.code for c in diff.changes}
            extra = [c for c in remove_codes if c not in listed]
            for code, old in self._stored(conn, entity, extra, diff.base).items():
                diff.changes.append(RecordChange("remove", code, old))
            missing = sorted(set(extra) - {c.code for c in diff.changes})
            if missing:
                raise ValidationError(Problem(code, "code", "remove_unknown", {"code": code}) for code in missing)
            if expected_base is not None and diff.base != dict(expected_base):
                moved = [code for code in diff.base.keys() | expected_base.keys()
                         if diff.base.get(code, -1) != expected_base.get(code, -1)]
                raise conflict(moved)
            if diff.is_empty:  # nothing of the records changes, but what goes with them is still written
                if along is not None:
                    along(conn)
                return None, diff
            version_id = self._write(
                conn, entity, diff, user=user, source=source, at=at, file_name=file_name,
                file_hash=_hash_file(file_bytes) if file_bytes is not None else None,
                note=note, district=district, reverts_version_id=reverts_version_id,
            )
            if entity.name == "project":  # a project's stage change is an event, written with the version
                self._record_stage_events(conn, diff, user=user, at=at, given=stage_events or {})
            self._audit_version(conn, entity, diff, version_id, user=user, source=source, file_name=file_name,
                                district=district, note=note, reverts_version_id=reverts_version_id,
                                replace=remove_missing_in_district is not None)
            if along is not None:
                along(conn)
        return version_id, diff

    def _audit_version(self, conn: sa.Connection, entity: Entity, diff: Diff, version_id: int, *, user: str, source: str,
                       file_name: str | None, district: str | None, note: str | None, reverts_version_id: int | None,
                       replace: bool) -> None:
        """The audit row of a version, in its transaction: a file's commit (upload page or command line), an edit
        in a form, a rollback. A version written for a decision records nothing here: the decision's own row
        says what happened (a transfer's acceptance, a grade's confirmation), and the sample is nobody's act."""
        action = AUDITED_SOURCES.get(source, f"{entity.name}_edit" if source == "form" else None)
        if action is None:
            return
        touched = [c for c in diff.changes if c.op != "same"]
        counts = diff.counts
        detail: dict[str, Any] = {"entity": entity.name, "version": version_id, "added": counts["add"],
                                  "changed": counts["change"], "removed": counts["remove"]}
        if len(touched) <= AUDITED_CODES:
            detail["codes"] = [c.code for c in touched]
        fields = sorted({f for c in touched for f in c.fields})
        if fields:
            detail["fields"] = fields
        if file_name:
            detail["file"] = file_name
        if replace:
            detail["replace"] = True
        if note:
            detail["note"] = note
        if action == "upload_commit":
            target = file_name
        elif action == "rollback":
            target = reverts_version_id
        else:
            target = touched[0].code if len(touched) == 1 else None
        self.audit(action, user, target=target, target_district=district, detail=detail, conn=conn)

    def _writing(self, entity: Entity):
        """A write transaction for one entity's records, taken in turn with every other writer of them
        (`_writing_table` of the entity's table)."""
        return self._writing_table(entity.table)

    @contextlib.contextmanager
    def _writing_table(self, table: sa.Table):
        """A write transaction on one table, taken in turn with every other writer of it.

        SQLite: BEGIN IMMEDIATE takes the database's write lock before anything is read (readers go on,
        WAL). PostgreSQL: the entity's table is locked in SHARE ROW EXCLUSIVE mode, which excludes other
        writers of it but not readers. Either way a second writer waits (up to config.lock_wait_seconds)
        and then reads what the first one wrote. A lock not had in time raises StoreBusy; a code written by
        someone else between a check and the write (a unique key) raises Conflict; nothing is written.
        """
        wait = config.lock_wait_seconds()
        try:
            with self.engine.connect() as conn:
                if self.backend == "sqlite":
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait * 1000)}")
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    conn.execute(sa.text(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'"))
                    conn.execute(sa.text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))
                try:
                    yield conn
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
        except sa.exc.IntegrityError as error:
            raise conflict([]) from error
        except sa.exc.OperationalError as error:
            if _is_lock_timeout(error):
                raise StoreBusy([Problem("", "store", "store_busy", {"seconds": int(wait)})]) from error
            raise

    def _write(self, conn, entity: Entity, diff: Diff, *, user, source, at, file_name, file_hash, note, district, reverts_version_id) -> int:
        counts = diff.counts
        version_id = conn.execute(
            sa.insert(versions_table).values(
                entity=entity.name, created_at=at, created_by=user, source=source, file_name=file_name,
                file_hash=file_hash, note=note, district=district, reverts_version_id=reverts_version_id,
                n_added=counts["add"], n_changed=counts["change"], n_removed=counts["remove"],
            )
        ).inserted_primary_key[0]
        meta = {"updated_by": user, "updated_at": at, "version_id": version_id}
        table = entity.table
        added = diff.of("add")
        adds, added_hex = _rows_for_write(entity, [c.after for c in added], conn.dialect.name)
        _insert_many(conn, table, [row | meta for row in adds])
        changed = diff.of("change")
        updates, _ = _rows_for_write(entity, [c.after for c in changed], conn.dialect.name)
        updates = [row | meta | {"_code": c.code} for row, c in zip(updates, changed)]
        if updates:
            values = {k: sa.bindparam(k) for k in updates[0] if k != "_code"}
            conn.execute(sa.update(table).where(table.c.code == sa.bindparam("_code")).values(values), updates)
        removed = [c.code for c in diff.of("remove")]
        for chunk in _chunks(removed):
            conn.execute(sa.delete(table).where(table.c.code.in_(chunk)))
        history = []
        geometry_hex = {c.code: h for c, h in zip(added, added_hex)}
        for c in diff.changes:
            if c.op == "add":
                history.append({"op": "add", "code": c.code, "before": None,
                                "after": _dump(entity, c.after, geometry_hex.get(c.code))})
            elif c.op == "change":
                history.append({
                    "op": "change", "code": c.code,
                    "before": _dump(entity, {f: c.before.get(f) for f in c.fields}, before=True),
                    "after": _dump(entity, {f: c.after.get(f) for f in c.fields}),
                })
            elif c.op == "remove":
                history.append({"op": "remove", "code": c.code, "before": _dump(entity, c.before, before=True),
                                "after": None})
        _insert_many(conn, changes_table, [h | {"version_id": version_id, "entity": entity.name} for h in history])
        return version_id

    # --- history ---------------------------------------------------------------------------------

    def versions(self, entity_name: str | None = None) -> pd.DataFrame:
        """Every version, newest first."""
        t = versions_table
        query = sa.select(t).order_by(t.c.id.desc())
        if entity_name:
            query = query.where(t.c.entity == entity_name)
        with self.engine.connect() as conn:
            result = conn.execute(query)
            return pd.DataFrame(result.all(), columns=list(result.keys()))

    def version(self, version_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(versions_table).where(versions_table.c.id == version_id)).mappings().first()
        return dict(row) if row else None

    def version_changes(self, version_id: int) -> list[RecordChange]:
        """What one version did: for a change, only the fields it changed, before and after."""
        version = self.version(version_id)
        if version is None:
            return []
        entity = ENTITIES[version["entity"]]
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(changes_table).where(changes_table.c.version_id == version_id).order_by(changes_table.c.id)
            ).mappings().all()
            out = [_change_of_row(entity, r) for r in rows]
            self._resolve_geometries(conn, entity, out, version_id)
        return out

    def _resolve_geometries(self, conn: sa.Connection, entity: Entity, changes: Sequence[RecordChange], version_id: int) -> None:
        """Put back the geometries that changes of one version name by reference (PREVIOUS_GEOMETRY)."""
        by_reference = [c for c in changes if c.before is not None and c.before.get("geometry") == PREVIOUS_GEOMETRY]
        if by_reference:
            earlier = self._geometries_before(conn, entity, [c.code for c in by_reference], version_id)
            for change in by_reference:
                change.before["geometry"] = earlier.get(change.code)

    def record_changes(self, entity_name: str, code: str, limit: int = 50) -> list[tuple[dict[str, Any], RecordChange]]:
        """One record's history, newest first: each version that touched it (as `version`) with what it did."""
        entity = ENTITIES[entity_name]
        c, v = changes_table, versions_table
        query = (sa.select(c.c.op, c.c.code, c.c.before, c.c.after, v).join(v, v.c.id == c.c.version_id)
                 .where(c.c.entity == entity_name, c.c.code == code).order_by(c.c.version_id.desc()).limit(limit))
        out = []
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                change = _change_of_row(entity, row)
                self._resolve_geometries(conn, entity, [change], row["id"])
                version = {k: row[k] for k in ("id", "created_at", "created_by", "source", "file_name", "note", "district")}
                out.append((version, change))
        return out

    def _geometries_before(self, conn: sa.Connection, entity: Entity, codes: Sequence[str], version_id: int) -> dict:
        """The geometry each record had just before a version: the last one an earlier version wrote."""
        c = changes_table
        found: dict[str, Any] = {}
        for chunk in _chunks(list(dict.fromkeys(codes))):
            query = (sa.select(c.c.code, c.c.after)
                     .where(c.c.entity == entity.name, c.c.code.in_(chunk), c.c.version_id < version_id,
                            c.c.op.in_(("add", "change")))
                     .order_by(c.c.version_id, c.c.id))
            for code, after in conn.execute(query):  # oldest first: the last one written wins
                if after and '"geometry"' in after:
                    geometry = _load(entity, after, frozenset({"geometry"})).get("geometry")
                    if geometry is not None and geometry != PREVIOUS_GEOMETRY:
                        found[code] = geometry
        return found

    def state_at(self, entity_name: str, *, version_id: int | None = None, at: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
        """The records as they were just after a version (or at a moment), replayed from history."""
        if version_id is not None:
            return self._replay(entity_name, [None], up_to_version=version_id)[0]
        return self._replay(entity_name, [at])[0]

    def states_at(self, entity_name: str, moments: Sequence[dt.datetime], fields: Sequence[str] | None = None) -> list[dict[str, dict[str, Any]]]:
        """The records at each of several moments (oldest first), replayed from history in one pass.
        With `fields`, records hold only those fields (much faster: geometries are not decoded)."""
        return self._replay(entity_name, list(moments), only=frozenset(fields) if fields else None)

    def _replay(self, entity_name: str, moments: list, up_to_version: int | None = None, only=None) -> list[dict]:
        entity = ENTITIES[entity_name]
        v, c = versions_table, changes_table
        query = (
            sa.select(c.c.op, c.c.code, c.c.after, v.c.created_at)
            .join(v, v.c.id == c.c.version_id)
            .where(c.c.entity == entity_name)
            .order_by(c.c.version_id, c.c.id)
        )
        if up_to_version is not None:
            query = query.where(c.c.version_id <= up_to_version)
        last = max((m for m in moments if m is not None), default=None)
        if last is not None and None not in moments:
            query = query.where(v.c.created_at <= last)
        pending = sorted(range(len(moments)), key=lambda i: (moments[i] is None, moments[i] or dt.datetime.max))
        snapshots: list[dict | None] = [None] * len(moments)
        state: dict[str, dict[str, Any]] = {}

        def take_snapshots(before: dt.datetime | None):
            while pending and moments[pending[0]] is not None and (before is None or moments[pending[0]] < before):
                snapshots[pending.pop(0)] = {code: dict(rec) for code, rec in state.items()}

        with self.engine.connect() as conn:
            for op, code, after, created_at in conn.execute(query):
                take_snapshots(created_at)
                if op == "add":
                    state[code] = _with_later_fields(entity, _load(entity, after, only), only)
                elif op == "change":
                    state.setdefault(code, {}).update(_load(entity, after, only))
                elif op == "remove":
                    state.pop(code, None)
        take_snapshots(None)
        for i in pending:  # moments after everything (or None: the end of history)
            snapshots[i] = state if len(pending) == 1 else {code: dict(rec) for code, rec in state.items()}
        return snapshots

    def rollback(self, version_id: int, *, user: str, note: str | None = None, at: dt.datetime | None = None) -> int:
        """Undo one version as a new version. Refused when a later version touched the same records."""
        version = self.version(version_id)
        if version is None:
            raise ValidationError([Problem(str(version_id), "version", "unknown_version", {"version": version_id})])
        entity = ENTITIES[version["entity"]]
        changes = self.version_changes(version_id)
        codes = [c.code for c in changes]
        c = changes_table
        with self.engine.connect() as conn:
            later = [
                row
                for chunk in _chunks(codes)
                for row in conn.execute(
                    sa.select(c.c.code, c.c.version_id)
                    .where(c.c.version_id > version_id, c.c.entity == entity.name, c.c.code.in_(chunk))
                )
            ]
            base: dict[str, int | None] = dict.fromkeys(codes)
            stored = self._stored(conn, entity, codes, base)
        if later:
            raise ValidationError(
                Problem(code, "code", "changed_later", {"code": code, "version": later_id}) for code, later_id in later[:50]
            )
        restored, removals = [], []
        for change in changes:
            if change.op == "add":
                removals.append(change.code)
            elif change.op == "change":
                restored.append({**stored[change.code], **change.before})
            elif change.op == "remove":
                restored.append(change.before)
        new_id, _ = self.save(
            entity.name, restored, user=user, source="rollback", remove_codes=removals,
            note=note, district=version["district"], at=at, reverts_version_id=version_id,
            expected_base=base,  # a commit between this read and the write refuses the rollback
        )
        return new_id


def _change_of_row(entity: Entity, row: Mapping[str, Any]) -> RecordChange:
    """One row of the changes table as a RecordChange (for a change, only the fields it changed)."""
    before, after = _load(entity, row["before"]), _load(entity, row["after"])
    fields = tuple((after or before or {}).keys()) if row["op"] == "change" else ()
    return RecordChange(row["op"], row["code"], before, after, fields)


def _with_later_fields(entity: Entity, rec: dict[str, Any], only: frozenset[str] | None) -> dict[str, Any]:
    """A record added to history before a field existed (a later migration gave stored rows the field's
    default, e.g. price_negotiable = false): the field's default, as the table has it."""
    wanted = entity.field_names if only is None else [f for f in entity.field_names if f in only]
    if len(rec) >= len(wanted):
        return rec
    filled = entity.defaults(rec)
    for name in wanted:
        if name not in rec and name in filled:
            rec[name] = _clean(entity.field_map[name], filled[name])
    return rec


def _is_lock_timeout(error: sa.exc.OperationalError) -> bool:
    """SQLite's "database is locked" or PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    orig = getattr(error, "orig", None)
    return "database is locked" in str(orig) or getattr(orig, "sqlstate", None) == "55P03"
