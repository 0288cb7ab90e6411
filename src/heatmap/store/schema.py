"""The store's tables: records (one table per entity, built from the model's fields), their versions and
field-by-field history, districts, accounts, inquiries, header mappings and meta. Geometries are PostGIS
`geometry(Geometry, 4326)` on PostgreSQL and WKB bytes on SQLite. Every change to these tables after the
first release is a migration in heatmap.migrations."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import shapely
import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator, UserDefinedType

from heatmap.model import CARRIER_FIELDS, PROJECT_FIELDS, FieldSpec, FieldType

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


class _Encoded:
    """A geometry already in the database's form (Geometry passes it through unchanged)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value
