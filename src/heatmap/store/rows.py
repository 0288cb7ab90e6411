"""Records as the store keeps them: each entity's fields and rules, the canonical in-memory values,
how two values compare, the JSON history keeps, and table rows written in bulk."""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from heatmap.model import (
    CARRIER_FIELDS,
    PROJECT_FIELDS,
    FieldSpec,
    FieldType,
    Problem,
    carrier_defaults,
    is_missing,
    project_defaults,
    validate_carriers,
    validate_projects,
)
from heatmap.store.schema import SRID, _Encoded, carriers_table, projects_table

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


def _row_to_record(entity: Entity, row: Mapping[str, Any]) -> dict[str, Any]:
    rec = {}
    for f in entity.fields:
        value = row[f.name]
        rec[f.name] = _clean(f, _split_list(value) if f.type is FieldType.LIST else value)
    return rec
