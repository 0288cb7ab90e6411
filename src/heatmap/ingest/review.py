"""Tables people read before and after a commit: the preview of a diff and the history of versions."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from heatmap import display, i18n
from heatmap.model import CARRIER_FIELD, PROJECT_FIELD, is_missing
from heatmap.store import Diff, RecordChange

PREVIEW_ROWS = 2000  # rows shown per table on the page; the counts are always complete


def _value(field_name: str, value: Any, lang: str, names: Mapping[str, str]) -> str:
    spec = CARRIER_FIELD.get(field_name) or PROJECT_FIELD.get(field_name)
    if spec is None:
        return "" if value is None else str(value)
    if value is None:
        return "–"  # a field without a value (cleared, or not known), as everywhere else
    if spec.name == "geometry":
        return value.wkt[:80] if hasattr(value, "wkt") else str(value)
    return display.value_text(spec, value, lang, names)


def record_rows(changes: Sequence[RecordChange], lang: str, names: Mapping[str, str], *, after: bool = True,
                entity: str = "carrier") -> pd.DataFrame:
    """Added or removed carriers: code, name, district, kind, area, vacant (projects: code, name, district,
    stage, category, investment and its currency)."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []
    for change in changes[:PREVIEW_ROWS]:
        rec = (change.after if after else change.before) or {}
        if entity == "project":
            rows.append({
                t("upload.col.code"): change.code,
                t("upload.col.name"): rec.get("name") or "",
                t("upload.col.district"): names.get(rec.get("district"), rec.get("district") or ""),
                t("field.stage"): i18n.label("stage", rec.get("stage"), lang),
                t("field.category"): i18n.label("category", rec.get("category"), lang),
                t("field.investment_wan"): i18n.fmt_money_wan(rec.get("investment_wan"), rec.get("currency"), lang),
            })
            continue
        rows.append({
            t("upload.col.code"): change.code,
            t("upload.col.name"): display.name_of(rec, lang),
            t("upload.col.district"): names.get(rec.get("district"), rec.get("district") or ""),
            t("field.kind"): i18n.label("kind", rec.get("kind"), lang),
            t("field.area_m2"): _value("area_m2", rec.get("area_m2"), lang, names),
            t("field.vacant_m2"): _value("vacant_m2", rec.get("vacant_m2"), lang, names),
        })
    return pd.DataFrame(rows)


def field_rows(changes: Sequence[RecordChange], lang: str, names: Mapping[str, str]) -> pd.DataFrame:
    """Changed carriers, one row per changed field: code, field, before, after."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []
    for change in changes:
        for field_name in change.fields:
            if len(rows) >= PREVIEW_ROWS:
                break
            rows.append({
                t("upload.col.code"): change.code,
                t("upload.col.field"): t(f"field.{field_name}") if i18n.has(f"field.{field_name}") else field_name,
                t("upload.col.before"): _value(field_name, (change.before or {}).get(field_name), lang, names),
                t("upload.col.after"): _value(field_name, (change.after or {}).get(field_name), lang, names),
            })
    return pd.DataFrame(rows)


def diff_tables(diff: Diff, lang: str, names: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """The preview's tables: added, changed (field by field), removed."""
    return {
        "add": record_rows(diff.of("add"), lang, names, entity=diff.entity),
        "change": field_rows(diff.of("change"), lang, names),
        "remove": record_rows(diff.of("remove"), lang, names, after=False, entity=diff.entity),
    }


def version_changes_table(changes: Sequence[RecordChange], lang: str, names: Mapping[str, str]) -> pd.DataFrame:
    """What one version did, one row per record (added, removed) or per changed field."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []
    for change in changes[:PREVIEW_ROWS]:
        op = t(f"op.{change.op}")
        if change.op == "change":
            for field_name in change.fields:
                rows.append({
                    t("upload.col.op"): op, t("upload.col.code"): change.code,
                    t("upload.col.field"): t(f"field.{field_name}") if i18n.has(f"field.{field_name}") else field_name,
                    t("upload.col.before"): _value(field_name, (change.before or {}).get(field_name), lang, names),
                    t("upload.col.after"): _value(field_name, (change.after or {}).get(field_name), lang, names),
                })
        else:
            rec = change.after if change.op == "add" else change.before
            rows.append({
                t("upload.col.op"): op, t("upload.col.code"): change.code, t("upload.col.field"): "",
                t("upload.col.before"): "" if change.op == "add" else display.name_of(rec or {}, lang),
                t("upload.col.after"): display.name_of(rec or {}, lang) if change.op == "add" else "",
            })
    return pd.DataFrame(rows)


def versions_table(versions: pd.DataFrame, lang: str, names: Mapping[str, str]) -> pd.DataFrame:
    """The history list: one row per version, newest first."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = []
    for _, row in versions.iterrows():
        v = {k: (None if is_missing(value) else value) for k, value in row.items()}  # the frame holds NaN for NULL
        note = v["note"] or ""
        if v["reverts_version_id"] is not None:
            note = i18n.t("upload.reverts", lang, version=int(v["reverts_version_id"])) + (" · " + note if note else "")
        rows.append({
            t("upload.col.version"): int(v["id"]),
            t("upload.col.when"): i18n.fmt_datetime(v["created_at"], lang),
            t("upload.col.who"): v["created_by"],
            t("upload.col.district"): names.get(v["district"], v["district"]) if v["district"] else t("upload.citywide"),
            t("upload.col.source"): i18n.label("source", v["source"], lang),
            t("upload.col.file"): v["file_name"] or "",
            t("upload.col.hash"): (v["file_hash"] or "")[:12],
            t("upload.col.counts"): f"+{v['n_added']} / ~{v['n_changed']} / −{v['n_removed']}",
            t("upload.col.note"): note,
        })
    return pd.DataFrame(rows)
