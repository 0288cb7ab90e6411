"""The one place that speaks SQL: SQLite (embedded default) or PostgreSQL with PostGIS.

Carriers and projects are written only through `save_*`, which validates every record first and then
writes all of them, a new version and its history in one transaction: a change is whole or absent.
History keeps, per version, what each record was before and after, so any earlier state can be shown
(`state_at`) and any version undone (`rollback`), the undoing being itself a new version.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import math
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.types import TypeDecorator, UserDefinedType

from heatmap import config
from heatmap.bulk import fewer_collections
from heatmap.model import (
    CARRIER_FIELDS,
    PROJECT_FIELDS,
    FieldSpec,
    FieldType,
    Problem,
    ValidationError,
    carrier_defaults,
    is_missing,
    project_defaults,
    validate_carriers,
    validate_projects,
)

SRID = 4326


class _PostGISGeometry(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return f"geometry(Geometry,{SRID})"


class Geometry(TypeDecorator):
    """A shapely geometry: PostGIS `geometry` on PostgreSQL, WKB bytes on SQLite."""

    impl = sa.LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostGISGeometry())
        return dialect.type_descriptor(sa.LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, _Encoded):
            return value.value
        if dialect.name == "postgresql":
            return shapely.to_wkb(shapely.set_srid(value, SRID), hex=True, include_srid=True)
        return shapely.to_wkb(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return shapely.from_wkb(bytes(value) if isinstance(value, memoryview) else value)


metadata = sa.MetaData()

_SQL_TYPES: dict[FieldType, Callable[[FieldSpec], Any]] = {
    FieldType.TEXT: lambda s: sa.Text() if s.max_length > 400 else sa.String(s.max_length),
    FieldType.NUMBER: lambda s: sa.Float(),
    FieldType.INTEGER: lambda s: sa.Integer(),
    FieldType.DATE: lambda s: sa.Date(),
    FieldType.BOOL: lambda s: sa.Boolean(),
    FieldType.CHOICE: lambda s: sa.String(40),
    FieldType.LIST: lambda s: sa.Text(),
    FieldType.GEOMETRY: lambda s: Geometry(),
}


def _record_table(name: str, specs: Sequence[FieldSpec]) -> sa.Table:
    columns = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)]
    for spec in specs:
        kwargs = {"unique": True, "nullable": False} if spec.name == "code" else {}
        columns.append(sa.Column(spec.name, _SQL_TYPES[spec.type](spec), **kwargs))
    columns += [
        sa.Column("lon", sa.Float),  # a point on the geometry, for fast maps and bounding-box queries
        sa.Column("lat", sa.Float),
        sa.Column("updated_by", sa.String(80)),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("version_id", sa.Integer),
    ]
    table = sa.Table(name, metadata, *columns)
    sa.Index(f"ix_{name}_district", table.c.district)
    sa.Index(f"ix_{name}_lonlat", table.c.lon, table.c.lat)
    # A GiST index on PostGIS; SQLite has no spatial index and uses lon/lat instead.
    sa.event.listen(
        table,
        "after_create",
        sa.DDL(f"CREATE INDEX IF NOT EXISTS ix_{name}_geometry ON {name} USING GIST (geometry)").execute_if(
            dialect="postgresql"
        ),
    )
    return table


carriers_table = _record_table("carriers", CARRIER_FIELDS)
sa.Index("ix_carriers_kind", carriers_table.c.kind)
projects_table = _record_table("projects", PROJECT_FIELDS)
sa.Index("ix_projects_stage", projects_table.c.stage)

districts_table = sa.Table(
    "districts",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name_zh", sa.String(80), nullable=False),
    sa.Column("name_en", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("aliases", sa.Text),  # ;-separated other names people write in files
    sa.Column("seat", Geometry),
    sa.Column("seat_note", sa.Text),
    sa.Column("boundary", Geometry),
    sa.Column("boundary_approximate", sa.Boolean, nullable=False, default=True),
    sa.Column("contact", sa.Text),
    sa.Column("sort_order", sa.Integer, nullable=False, default=0),
)

versions_table = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(20), nullable=False),  # carrier | project
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),  # sample | upload | cli | form | rollback
    sa.Column("file_name", sa.Text),
    sa.Column("file_hash", sa.String(64)),
    sa.Column("note", sa.Text),
    sa.Column("district", sa.String(40)),
    sa.Column("reverts_version_id", sa.Integer),
    sa.Column("n_added", sa.Integer, nullable=False, default=0),
    sa.Column("n_changed", sa.Integer, nullable=False, default=0),
    sa.Column("n_removed", sa.Integer, nullable=False, default=0),
)

changes_table = sa.Table(
    "changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("entity", sa.String(20), nullable=False),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("op", sa.String(10), nullable=False),  # add | change | remove
    sa.Column("before", sa.Text),  # JSON: the whole record (remove) or the changed fields (change)
    sa.Column("after", sa.Text),  # JSON: the whole record (add) or the changed fields (change)
    sa.Index("ix_changes_entity_code", "entity", "code"),
)

users_table = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("district", sa.String(40)),
    sa.Column("display_name", sa.String(120)),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

inquiries_table = sa.Table(
    "inquiries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("carrier_code", sa.String(40), nullable=False),
    sa.Column("district", sa.String(40), nullable=False, index=True),  # the carrier's, when asked
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("company", sa.String(120)),
    sa.Column("contact", sa.String(120), nullable=False),  # the investor's: staff only
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("lang", sa.String(5)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, default="open"),  # open | answered
    sa.Column("answered_by", sa.String(80)),
    sa.Column("answered_at", sa.DateTime),
)

# Headers a user mapped to a field by hand on the upload page, so the next file with them needs no asking.
header_mappings_table = sa.Table(
    "header_mappings",
    metadata,
    sa.Column("header", sa.String(200), primary_key=True),  # normalized (ingest.headers.normalize_header)
    sa.Column("field", sa.String(40), nullable=False),  # a carrier field, a special (lon, lat, …) or "ignore"
    sa.Column("saved_by", sa.String(80)),
    sa.Column("saved_at", sa.DateTime),
)

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Text),
)


@dataclass(frozen=True)
class Entity:
    """What the store needs to know of an entity kind: its table, fields, rules and defaults."""

    name: str
    table: sa.Table
    fields: tuple[FieldSpec, ...]
    validate_many: Callable[..., list[list[Problem]]]  # the problems of each record, in order
    defaults: Callable[[Mapping[str, Any]], dict]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @functools.cached_property
    def field_map(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}

    @functools.cached_property
    def cleaners(self) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
        return tuple((f.name, _CLEANERS[f.type]) for f in self.fields)


CARRIER = Entity("carrier", carriers_table, CARRIER_FIELDS, validate_carriers, carrier_defaults)
PROJECT = Entity("project", projects_table, PROJECT_FIELDS, validate_projects, project_defaults)
ENTITIES = {e.name: e for e in (CARRIER, PROJECT)}


# --- values: comparing, JSON for history ---------------------------------------------------------


def _clean(spec: FieldSpec, value: Any) -> Any:
    """The canonical in-memory form of a field value (missing → None, lists → sorted tuple)."""
    return _CLEANERS[spec.type](value)


def _cleaner(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None or is_missing(value) else convert(value)


# One function per field type, looked up once per field (a 100k-row upload cleans millions of values).
_CLEANERS: dict[FieldType, Callable[[Any], Any]] = {
    **{t: _cleaner(lambda value: value) for t in FieldType},
    FieldType.LIST: _cleaner(lambda value: tuple(sorted(value))),
    FieldType.NUMBER: _cleaner(float),
    FieldType.INTEGER: _cleaner(int),
    FieldType.BOOL: _cleaner(bool),
}


def _same(spec: FieldSpec, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if spec.type is FieldType.NUMBER:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if spec.type is FieldType.GEOMETRY:
        return a.geom_type == b.geom_type and shapely.equals_exact(a, b, tolerance=1e-9)
    return a == b


def _to_json_value(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.type is FieldType.GEOMETRY:
        return shapely.to_wkb(value, hex=True)
    if spec.type is FieldType.DATE:
        return value.isoformat()
    if spec.type is FieldType.LIST:
        return list(value)
    return value


def _from_json_value(spec: FieldSpec, value: Any) -> Any:
    if value is None or value == PREVIOUS_GEOMETRY:  # resolved by Store.version_changes
        return value
    if spec.type is FieldType.GEOMETRY:
        return shapely.from_wkb(value)
    if spec.type is FieldType.DATE:
        return dt.date.fromisoformat(value)
    if spec.type is FieldType.LIST:
        return tuple(value)
    return value


# In a change's or removal's `before`, the geometry it had: history keeps each geometry once, in the `after`
# of the version that wrote it (a parcel of 100k vertices is not stored again each time it is replaced).
PREVIOUS_GEOMETRY = "@previous"


def _dump(entity: Entity, values: Mapping[str, Any], geometry_hex: str | None = None, *, before: bool = False) -> str:
    """A record (or some of its fields) as history JSON; `geometry_hex` is its geometry already encoded.
    A `before` names its geometry by reference (PREVIOUS_GEOMETRY) instead of repeating it."""
    specs = entity.field_map

    def encode(k, v):
        if k == "geometry":
            if before and v is not None:
                return PREVIOUS_GEOMETRY
            if geometry_hex is not None:
                return geometry_hex
        return _to_json_value(specs[k], v)

    return json.dumps({k: encode(k, v) for k, v in values.items()}, ensure_ascii=False)


def _load(entity: Entity, text: str | None, only: frozenset[str] | None = None) -> dict[str, Any] | None:
    """A history JSON back to values; `only` keeps just those fields (and skips decoding the rest)."""
    if text is None:
        return None
    specs = entity.field_map
    return {k: _from_json_value(specs[k], v) for k, v in json.loads(text).items() if k in specs and (only is None or k in only)}


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


class Store:
    """The database behind the app. Create one per process; it is safe to share between threads."""

    def __init__(self, url: str | None = None):
        self.url = url or config.database_url()
        parsed = sa.engine.make_url(self.url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
        if self.backend == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._district_cache: set[str] | None = None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # --- schema ----------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create a new database, or upgrade an existing one in place to the newest schema through its
        migrations (heatmap.migrations; idempotent). On PostgreSQL PostGIS is enabled first."""
        from heatmap import migrations

        migrations.upgrade(self.engine, metadata)

    def drop_schema(self) -> None:
        with self.engine.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        self._district_cache = None

    def clear_records(self) -> None:
        """Delete every carrier, project and their history (districts, accounts and meta stay)."""
        with self.engine.begin() as conn:
            for table in (changes_table, versions_table, carriers_table, projects_table):
                conn.execute(sa.delete(table))

    def is_empty(self) -> bool:
        insp = sa.inspect(self.engine)
        if not insp.has_table("meta"):
            return True
        return self.get_meta("initialized") is None

    # --- meta --------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
        return default if value is None else value

    def set_meta(self, key: str, value: str | None, conn: sa.Connection | None = None) -> None:
        def write(c):
            c.execute(sa.delete(meta_table).where(meta_table.c.key == key))
            if value is not None:
                c.execute(sa.insert(meta_table).values(key=key, value=value))

        if conn is not None:
            write(conn)
        else:
            with self.engine.begin() as c:
                write(c)

    # --- districts -------------------------------------------------------------------------------

    def save_districts(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Insert or replace districts by code (an administrator's reference data)."""
        rows = [dict(r) for r in records]
        with self.engine.begin() as conn:
            for row in rows:
                conn.execute(sa.delete(districts_table).where(districts_table.c.code == row["code"]))
            if rows:
                conn.execute(sa.insert(districts_table), rows)
        self._district_cache = None

    def districts(self) -> gpd.GeoDataFrame:
        """All districts in display order; `seat` and `boundary` are shapely geometries (WGS-84)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(districts_table).order_by(districts_table.c.sort_order)).mappings().all()
        frame = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in districts_table.columns])
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(frame["seat"], crs=SRID), crs=SRID)

    def district_codes(self) -> set[str]:
        if self._district_cache is None:
            with self.engine.connect() as conn:
                self._district_cache = set(conn.execute(sa.select(districts_table.c.code)).scalars())
        return self._district_cache

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
        """Grows with every saved version: a cheap key for caches of derived data."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.coalesce(sa.func.max(versions_table.c.id), 0))).scalar_one()

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
    ) -> tuple[int | None, Diff]:
        """Validate, then write records (added or changed) and removals as one new version.

        Raises ValidationError, writing nothing, if any record has an error. Returns the new version's
        id (None when nothing differs from what is stored) and the diff that was applied.

        Writers of one entity take turns (`_writing`): the diff is computed and written while no one else
        can write, so it is always the difference from what is stored at that moment. With `expected_base`
        (a preview's `Diff.base`), the write is refused with `Conflict` if any record it touches was
        written since that preview, or a record to remove appeared: nothing the person did not see is
        overwritten. Raises `StoreBusy` if another writer held the store longer than the wait.
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
            if diff.is_empty:
                return None, diff
            version_id = self._write(
                conn, entity, diff, user=user, source=source, at=at, file_name=file_name,
                file_hash=_hash_file(file_bytes) if file_bytes is not None else None,
                note=note, district=district, reverts_version_id=reverts_version_id,
            )
        return version_id, diff

    @contextlib.contextmanager
    def _writing(self, entity: Entity):
        """A write transaction for one entity's records, taken in turn with every other writer of them.

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
                    conn.execute(sa.text(f"LOCK TABLE {entity.table.name} IN SHARE ROW EXCLUSIVE MODE"))
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
            out = []
            for r in rows:
                before, after = _load(entity, r["before"]), _load(entity, r["after"])
                fields = tuple((after or before or {}).keys()) if r["op"] == "change" else ()
                out.append(RecordChange(r["op"], r["code"], before, after, fields))
            by_reference = [c for c in out if c.before is not None and c.before.get("geometry") == PREVIOUS_GEOMETRY]
            if by_reference:
                earlier = self._geometries_before(conn, entity, [c.code for c in by_reference], version_id)
                for change in by_reference:
                    change.before["geometry"] = earlier.get(change.code)
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
                    state[code] = _load(entity, after, only)
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

    # --- header mappings chosen on the upload page ------------------------------------------------

    def header_mappings(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(header_mappings_table.c.header, header_mappings_table.c.field))
            return dict(rows.all())

    def remember_header_mappings(self, mapping: Mapping[str, str], user: str) -> None:
        """Keep (or replace) what the user chose for headers the importer did not know."""
        if not mapping:
            return
        t = header_mappings_table
        now = _utcnow()
        with self.engine.begin() as conn:
            conn.execute(sa.delete(t).where(t.c.header.in_(list(mapping))))
            conn.execute(sa.insert(t), [{"header": h, "field": f, "saved_by": user, "saved_at": now} for h, f in mapping.items()])

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
            return conn.execute(sa.insert(inquiries_table).values(
                carrier_code=carrier["code"], district=carrier["district"], created_at=at or _utcnow(), status="open", **values,
            )).inserted_primary_key[0]

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
        with self.engine.begin() as conn:
            conn.execute(sa.update(inquiries_table).where(inquiries_table.c.id == inquiry_id)
                         .values(status="answered", answered_by=user, answered_at=_utcnow()))

    # --- users -----------------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str, district: str | None = None, display_name: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(users_table).where(users_table.c.username == username))
            conn.execute(sa.insert(users_table).values(
                username=username, password_hash=password_hash, role=role, district=district,
                display_name=display_name or username, active=True, created_at=_utcnow(),
            ))

    def user(self, username: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users_table).where(users_table.c.username == username)).mappings().first()
        return dict(row) if row else None

    def users(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            result = conn.execute(sa.select(users_table.c.username, users_table.c.role, users_table.c.district,
                                            users_table.c.display_name, users_table.c.active).order_by(users_table.c.username))
            return pd.DataFrame(result.all(), columns=list(result.keys()))


def records_frame(entity_name: str, records: Iterable[Mapping[str, Any]]) -> gpd.GeoDataFrame:
    """Records (as in history) as a frame with the same columns the store's tables give."""
    entity = ENTITIES[entity_name]
    rows = [_record_to_row(entity, _canonical(entity, rec)) for rec in records]
    columns = [c.name for c in entity.table.columns if c.name != "id"]
    frame = pd.DataFrame(rows, columns=columns).sort_values("code", kind="stable").reset_index(drop=True)
    if "industries" in frame:
        frame["industries"] = frame["industries"].map(_split_list)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(frame["geometry"], crs=SRID), crs=SRID)


# --- rows ↔ records ------------------------------------------------------------------------------


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _chunks(items: Sequence[Any], size: int = 5000):
    """Slices small enough for SQLite's limit on bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _split_list(value: str | None) -> tuple[str, ...]:
    """"a,b" -> ("a", "b"); None or NaN (an empty list is stored as NULL) -> ()."""
    return tuple(v for v in value.split(",") if v) if isinstance(value, str) else ()


def _canonical(entity: Entity, rec: Mapping[str, Any]) -> dict[str, Any]:
    get = rec.get
    return {name: None if (value := get(name)) is None else clean(value) for name, clean in entity.cleaners}


def _record_to_row(entity: Entity, rec: Mapping[str, Any]) -> dict[str, Any]:
    row = {}
    for f in entity.fields:
        value = rec.get(f.name)
        row[f.name] = ",".join(value) if f.type is FieldType.LIST and value is not None else value
    geom = rec.get("geometry")
    point = None if geom is None else (geom if geom.geom_type == "Point" else geom.point_on_surface())
    row["lon"] = None if point is None else point.x
    row["lat"] = None if point is None else point.y
    return row


def _rows_for_write(entity: Entity, records: Sequence[Mapping[str, Any]], dialect: str) -> tuple[list[dict], list]:
    """Table rows for many records, geometries encoded all at once (shapely's vectorised functions: a
    100k-record upload would spend seconds doing it one by one). Also returns each geometry's hex WKB, the
    form history keeps."""
    lists = [f.name for f in entity.fields if f.type is FieldType.LIST]
    rows = []
    for rec in records:  # canonical records (as in a Diff): exactly the entity's fields
        row = dict(rec)
        for name in lists:
            if row[name] is not None:
                row[name] = ",".join(row[name])
        rows.append(row)
    geoms = np.array([rec.get("geometry") for rec in records] + [None], dtype=object)[:-1]  # keeps shapes 1-D
    present = ~shapely.is_missing(geoms)
    wkb_hex = np.full(len(geoms), None, dtype=object)
    stored = np.full(len(geoms), None, dtype=object)
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    if present.any():
        shapes = geoms[present]
        wkb_hex[present] = shapely.to_wkb(shapes, hex=True)
        if dialect == "postgresql":
            stored[present] = shapely.to_wkb(shapely.set_srid(shapes, SRID), hex=True, include_srid=True)
        else:
            stored[present] = shapely.to_wkb(shapes)
        points = np.where(shapely.get_type_id(shapes) == 0, shapes, shapely.point_on_surface(shapes))
        lon[present], lat[present] = shapely.get_x(points), shapely.get_y(points)
    for i, row in enumerate(rows):
        row["geometry"] = _Encoded(stored[i]) if present[i] else None
        row["lon"] = float(lon[i]) if present[i] else None
        row["lat"] = float(lat[i]) if present[i] else None
    return rows, list(wkb_hex)


def _insert_many(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows that all have the same keys, in the current transaction.

    SQLAlchemy's per-row parameter handling costs more than the database's own work for a 100k-row
    upload, so the rows go to the driver's bulk path, each column bound by its own type's processor as
    SQLAlchemy would: SQLite's executemany (100k rows of 24 columns: 1.2 s against 2.9 s), PostgreSQL's
    COPY through psycopg (a geometry travels as hex EWKB text, which PostGIS reads).
    """
    if not rows:
        return
    dialect = conn.dialect
    if dialect.name not in ("sqlite", "postgresql") or (dialect.name == "postgresql" and dialect.driver != "psycopg"):
        conn.execute(sa.insert(table), rows)
        return
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append([bind(v) for v in values] if bind else values)
    target = f"{dialect.identifier_preparer.format_table(table)} ({', '.join(quote(n) for n in names)})"
    if dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({', '.join('?' * len(names))})", list(zip(*columns)))
        return
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in zip(*columns):
            copy.write_row(row)


class _Encoded:
    """A geometry already in the database's form (Geometry passes it through unchanged)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _row_to_record(entity: Entity, row: Mapping[str, Any]) -> dict[str, Any]:
    rec = {}
    for f in entity.fields:
        value = row[f.name]
        rec[f.name] = _clean(f, _split_list(value) if f.type is FieldType.LIST else value)
    return rec


def _is_lock_timeout(error: sa.exc.OperationalError) -> bool:
    """SQLite's "database is locked" or PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    orig = getattr(error, "orig", None)
    return "database is locked" in str(orig) or getattr(orig, "sqlstate", None) == "55P03"


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(config.lock_wait_seconds() * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
