"""Reference data beside the records: meta values, districts, and the header mappings staff chose."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from heatmap.store.rows import _utcnow
from heatmap.store.schema import SRID, districts_table, header_mappings_table, meta_table


class Reference:
    """Store methods for reference data (a mixin: needs `engine`)."""

    # --- meta --------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
        return default if value is None else value

    def set_meta(self, key: str, value: str | None, conn: sa.Connection | None = None) -> None:
        def write(c):
            if value is None:
                c.execute(sa.delete(meta_table).where(meta_table.c.key == key))
                return
            # an upsert: two processes starting on a new database at once both set "initialized"
            insert = (postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert)(meta_table).values(key=key, value=value)
            c.execute(insert.on_conflict_do_update(index_elements=[meta_table.c.key], set_={"value": value}))

        if conn is not None:
            write(conn)
        else:
            with self.engine.begin() as c:
                write(c)

    # --- districts -------------------------------------------------------------------------------

    def save_districts(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Insert or replace districts by code (an administrator's reference data)."""
        rows = [dict(r) for r in records]
        if rows:
            with self.engine.begin() as conn:  # an upsert: two processes filling a new database at once
                insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(districts_table)
                conn.execute(insert.on_conflict_do_update(
                    index_elements=[districts_table.c.code],
                    set_={c.name: insert.excluded[c.name] for c in districts_table.c if c.name != "code"},
                ), rows)
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
            self.audit("header_mapping", user, conn=conn, detail={"headers": dict(mapping)})
