"""The audit trail as an administrator reads it (pages/audit.py): the filters' dates in Taicang time, each entry
told in words (the action's name, its target, its details — never an internal code), and the filtered list
as CSV or Excel. Reading only: nothing here, nor anywhere in the app, changes or removes an entry."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any, Mapping

import pandas as pd

from heatmap import audit, export, i18n
from heatmap.pipeline import reports

SHOWN_AT_MOST = 5000  # entries the page lists (and exports) for one selection; narrower filters show the rest
COLUMNS = ("at", "actor", "role", "district", "action", "target", "target_district", "detail", "client", "user_agent")
_CODES_SHOWN = 10


def utc_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The stored (naive UTC) moments from the start of `first` to the end of `last`, both Taicang days: the
    trail's `since` (included) and `until` (excluded)."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=i18n.LOCAL_TZ)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=i18n.LOCAL_TZ)
    return tuple(moment.astimezone(dt.UTC).replace(tzinfo=None) for moment in (start, end))


def default_dates(today: dt.date, days: int = 30) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=days - 1), today


def action_name(code: str, lang: str) -> str:
    return i18n.t(f"audit.action.{code}", lang)


def action_choices() -> list[str]:
    return list(audit.ACTIONS)


def _t(key: str, lang: str, **params) -> str:
    return i18n.t(f"audit.detail.{key}", lang, **params)


def target_text(action: str, target: Any, lang: str) -> str:
    """What an act was done to, as a reader says it: a file, a project code, an account, "version 12", a
    rules document's name, a reporting period."""
    if target is None or (isinstance(target, float) and target != target):
        return "–"
    target = str(target)
    if action == "rollback":
        return i18n.t("audit.target.version", lang, version=target)
    if action == "standard_change":
        return i18n.t("nav.standards", lang)
    if action == "rules_change":
        return i18n.t(f"rules.doc.{target}", lang) if i18n.has(f"rules.doc.{target}") else target
    if action == "report_submit":
        try:
            return reports.period_from_key(target).label(lang)
        except (ValueError, KeyError):
            return target
    if action == "settings_change" and i18n.has(f"audit.target.{target}"):
        return i18n.t(f"audit.target.{target}", lang)
    return target


def detail_text(action: str, detail: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> str:
    """An entry's details in a line of words, in a fixed order (what is not said is left out; a file's size and
    fingerprint stay in the trail, for a comparison with the versions' own, not in the line)."""
    if not detail:
        return ""
    d = dict(detail)
    district = lambda code: names.get(code, code)  # noqa: E731
    parts: list[str] = []
    if action == "sample_load":
        return _t("sample", lang, carriers=i18n.fmt_int(d.get("carriers")), projects=i18n.fmt_int(d.get("projects")),
                  versions=i18n.fmt_int(d.get("versions")))
    if action == "settings_change":
        if "stale_days" in d:
            parts.append(_t("stale_days", lang, days=d["stale_days"]))
        if "hide_stale" in d:
            parts.append(_t("hide_stale.yes" if d["hide_stale"] else "hide_stale.no", lang))
        return _join(parts, lang)
    if "entity" in d and i18n.has(f"audit.detail.entity.{d['entity']}"):
        parts.append(_t(f"entity.{d['entity']}", lang))
    if d.get("kind"):
        parts.append(i18n.label("kind", d["kind"], lang))
    if "version" in d and action not in ("rules_change", "standard_change"):
        parts.append(_t("version", lang, version=d["version"]))
    if {"added", "changed", "removed"} <= d.keys():
        parts.append(_t("counts", lang, added=i18n.fmt_int(d["added"]), changed=i18n.fmt_int(d["changed"]),
                        removed=i18n.fmt_int(d["removed"])))
    if {"records", "errors", "warnings"} <= d.keys():
        parts.append(_t("file_read", lang, records=i18n.fmt_int(d["records"]), errors=i18n.fmt_int(d["errors"]),
                        warnings=i18n.fmt_int(d["warnings"])))
    if d.get("replace"):
        parts.append(_t("replace", lang))
    if d.get("fields"):
        parts.append(_t("fields", lang, fields=_list(i18n.t(f"field.{f}", lang) if i18n.has(f"field.{f}") else f
                                                      for f in d["fields"])))
    if d.get("codes") and not (len(d["codes"]) == 1 and action in ("project_edit", "carrier_edit")):
        codes = list(d["codes"])
        parts.append(_t("codes", lang, codes=_list(codes[:_CODES_SHOWN]) + ("…" if len(codes) > _CODES_SHOWN else "")))
    if d.get("file") and action not in ("export", "download", "upload", "upload_commit"):
        parts.append(_t("file", lang, file=d["file"]))
    if d.get("page") and i18n.has(f"audit.detail.page.{d['page']}"):
        parts.append(_t(f"page.{d['page']}", lang))
    if d.get("period"):
        parts.append(_t("period", lang, period=target_text("report_submit", d["period"], lang)))
    for key in ("report", "entry", "proposal", "evaluation", "decision", "inquiry"):
        if d.get(key) is not None:  # a grade's "proposal" is the grade proposed, not a transfer's
            parts.append(_t("grade_proposal" if key == "proposal" and action.startswith("grade_") else key, lang, id=d[key]))
    if action.startswith("transfer_") and action != "transfer_propose" and d.get("event") is not None:
        parts.append(_t("event", lang, id=d["event"]))
    if "projects" in d:
        parts.append(_t("projects", lang, n=i18n.fmt_int(d["projects"])))
    if "carriers" in d:
        parts.append(_t("carriers", lang, n=i18n.fmt_int(d["carriers"])))
    if "rows" in d:
        parts.append(_t("rows", lang, n=i18n.fmt_int(d["rows"])))
    if "problems" in d:
        parts.append(_t("problems", lang, n=i18n.fmt_int(d["problems"])))
    if d.get("corrects") is not None:
        parts.append(_t("corrects", lang, id=d["corrects"]))
    if d.get("merged_from"):
        parts.append(_t("merged_from", lang, code=d["merged_from"]))
    if d.get("registrant_kind"):
        parts.append(_t("registrant_kind", lang, kind=i18n.label("ledger.registrant_kind", d["registrant_kind"], lang)))
    if d.get("stage"):
        parts.append(_t("stage", lang, stage=i18n.label("stage", d["stage"], lang)))
    if d.get("on"):
        parts.append(_t("on", lang, date=i18n.fmt_date(d["on"], lang)))
    if d.get("outcome"):
        outcome = d["outcome"]
        key = f"dup.outcome.{outcome}" if action == "duplicate_decision" else f"leading.status.{outcome}"
        parts.append(i18n.t(key, lang) if i18n.has(key) else outcome)
    if d.get("hosting_district"):
        parts.append(_t("hosting_district", lang, district=district(d["hosting_district"])))
    if d.get("first_contact_district"):
        parts.append(_t("first_contact_district", lang, district=district(d["first_contact_district"])))
    if action == "transfer_propose" and "to_district" not in d:
        parts.append(_t("to_pool", lang))
    elif d.get("to_district"):
        parts.append(_t("to_district", lang, district=district(d["to_district"])))
    if d.get("reason"):
        reason = d["reason"]
        known = next((k for k in (f"transfers.reason.{reason}", f"reason.{reason}") if i18n.has(k)), None)
        parts.append(_t("reason", lang, reason=i18n.t(known, lang) if known else reason))
    if d.get("origin_percent") is not None:
        parts.append(_t("credit", lang, percent=f"{float(d['origin_percent']):g}"))
    if d.get("credit_years") is not None:
        parts.append(_t("credit_years", lang, years=d["credit_years"]))
    if d.get("grade"):
        parts.append(_t("grade", lang, grade=d["grade"]))
    if d.get("standard"):
        parts.append(_t("standard", lang, standard=i18n.label("category", d["standard"], lang),
                        version=d.get("standard_version", "–")))
    if d.get("support_wan") is not None:
        parts.append(_t("support", lang, amount=i18n.fmt_cny_wan(d["support_wan"], lang)))
    if action in ("rules_change", "standard_change"):
        parts.append(_t("rules_version", lang, version=d.get("version")))
        parts.append(_t("edited_from", lang, version=d["edited_from"]) if d.get("edited_from") is not None
                     else _t("edited_from_defaults", lang))
    if d.get("username"):
        parts.append(_t("username", lang, name=d["username"]))
    if d.get("attempts") is not None:
        parts.append(_t("attempts", lang, n=i18n.fmt_int(d["attempts"])))
    if d.get("until"):
        parts.append(_t("until", lang, time=i18n.fmt_datetime(dt.datetime.fromisoformat(str(d["until"])), lang)))
    if action.startswith("account_") and d.get("district"):
        parts.append(_t("district", lang, district=district(d["district"])))
    if d.get("role"):
        parts.append(_t("role", lang, role=i18n.label("role", d["role"], lang)))
    if d.get("display_name"):
        parts.append(_t("display_name", lang, name=d["display_name"]))
    if d.get("headers"):
        pairs = [f"{header} → {_mapped(field, lang)}" for header, field in d["headers"].items()]
        parts.append(_t("headers", lang, pairs=_list(pairs)))
    if d.get("lang") and i18n.has(f"audit.language.{d['lang']}"):
        parts.append(_t("lang", lang, language=i18n.t(f"audit.language.{d['lang']}", lang)))
    if d.get("from") and d.get("to"):
        chosen = [f"{i18n.fmt_date(d['from'], lang)}–{i18n.fmt_date(d['to'], lang)}"]
        chosen += [d["actor"]] if d.get("actor") else []
        chosen += [action_name(a, lang) for a in d.get("actions") or ()]
        chosen += [district(d["district"])] if d.get("district") else []
        parts.append(_t("filters", lang, filters=_list(chosen)))
    if d.get("format"):
        parts.append(_t("format", lang, format=str(d["format"]).upper()))
    if d.get("note"):
        parts.append(_t("note", lang, note=d["note"]))
    return _join(parts, lang)


def _mapped(field: str, lang: str) -> str:
    if field == "ignore":
        return _t("ignored", lang)
    for key in (f"field.{field}", f"upload.target.{field}"):
        if i18n.has(key):
            return i18n.t(key, lang)
    return field


def _list(items) -> str:
    return "、".join(str(i) for i in items)


def _join(parts: list[str], lang: str) -> str:
    return ("；" if i18n.normalize_language(lang) == "zh" else "; ").join(parts)


def table(events: pd.DataFrame, lang: str, names: Mapping[str, str]) -> pd.DataFrame:
    """The entries as the page lists them, newest first, with headers in the language."""
    rows = []
    nobody = i18n.t("audit.nobody", lang)
    for event in events.to_dict("records"):
        rows.append({
            "at": i18n.fmt_datetime(event["at"], lang),
            "actor": _text(event["actor"]) or nobody,
            "role": i18n.label("role", event["role"], lang) if _text(event["role"]) else "–",
            "district": names.get(event["district"], event["district"]) if _text(event["district"]) else "–",
            "action": action_name(event["action"], lang),
            "target": target_text(event["action"], _text(event["target"]) or None, lang),
            "target_district": (names.get(event["target_district"], event["target_district"])
                                if _text(event["target_district"]) else "–"),
            "detail": detail_text(event["action"], event["detail"] or {}, lang, names) or "–",
            "client": _text(event["client"]) or "–",
            "user_agent": _text(event["user_agent"]) or "–",
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: i18n.t(f"audit.col.{c}", lang) for c in COLUMNS})


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def to_csv(shown: pd.DataFrame) -> bytes:
    """The listed entries as CSV (UTF-8 with a byte-order mark, so spreadsheets read the Chinese): text a
    spreadsheet would evaluate as a formula is written behind an apostrophe."""
    buffer = io.StringIO()
    shown.map(export.formula_safe).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")


def to_excel(shown: pd.DataFrame, lang: str) -> bytes:
    return export.to_excel({i18n.t("audit.sheet", lang): shown})


def file_name(first: dt.date, last: dt.date, extension: str) -> str:
    return f"taicang-audit-{first:%Y%m%d}-{last:%Y%m%d}.{extension}"


def filters_detail(first: dt.date, last: dt.date, actor: str | None, actions: list[str], district: str | None) -> dict:
    """What an export of the trail was filtered by (kept in the export's own entry)."""
    return {"from": first.isoformat(), "to": last.isoformat(), "actor": actor, "actions": list(actions) or None,
            "district": district}

