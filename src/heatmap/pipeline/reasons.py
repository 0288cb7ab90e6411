"""Why a pipeline function decided what it did: a reason key and its parameters, rendered in zh or en.

Decisions never come back as a bare bool. A `Reason` holds an i18n key (its catalog says the sentence in both
languages) and the parameters the sentence needs, as plain data; `reason_text` renders it for a language,
formatting parameters by the unit their name ends in (the same convention as the field names):
`*_at` a stored moment (naive UTC), `*_on` a date, `*_cny` an amount in yuan, `*_permille` a rate in ‰,
`district`/`*_district` (and a registrant, who may be a district) a district code, shown by its name when
the caller passes the districts; `registrant_kind` a kind of registrant, `event_kind` a kind of event,
`stage` a stage; anything else is shown as it is.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from heatmap import i18n


@dataclass(frozen=True)
class Reason:
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:  # for logs and assertion messages, not for users
        return f"{self.key} {dict(self.params)}" if self.params else self.key


def district_names(districts: Any, lang: str) -> dict[str, str]:
    """code -> name in the language, from district records (a DataFrame or mappings with code/name_zh/name_en)."""
    if districts is None:
        return {}
    rows = districts.to_dict("records") if hasattr(districts, "to_dict") else list(districts)
    return {row["code"]: i18n.district_name(row, lang) for row in rows}


def _param_text(name: str, value: Any, lang: str, names: Mapping[str, str]) -> Any:
    if isinstance(value, (list, tuple)):
        sep = "、" if i18n.normalize_language(lang) == "zh" else ", "
        return sep.join(str(_param_text(name, v, lang, names)) for v in value)
    if value is None:
        return "–"
    if name == "fields" and i18n.has(f"ledger.field.{value}"):  # names of ledger fields
        return i18n.t(f"ledger.field.{value}", lang)
    if name.endswith("_at") and isinstance(value, dt.datetime):
        return i18n.fmt_datetime(value, lang)
    if name.endswith("_on") and isinstance(value, dt.date):
        return i18n.fmt_date(value, lang)
    if name.endswith("_cny") and isinstance(value, (int, float)):
        return i18n.fmt_cny_wan(value / 10_000, lang)
    if name.endswith("_permille") and isinstance(value, (int, float)):
        return f"{value:g}‰"
    if name in ("district", "registrant", "referrer", "payee", "unit") or name.endswith("_district"):
        return names.get(value, value)  # a district registrant is named by its code
    if name in ("registrant_kind", "referrer_kind"):
        return i18n.label("ledger.registrant_kind", value, lang)
    if name == "event_kind":
        return i18n.label("counting.kind", value, lang)
    if name == "stage":
        return i18n.label("stage", value, lang)
    return value


def reason_text(reason: Reason, lang: str, districts: Any = None) -> str:
    """The reason as one sentence in `lang`; district codes become names when `districts` is given."""
    names = district_names(districts, lang)
    params = {k: _param_text(k, v, lang, names) for k, v in reason.params.items()}
    return i18n.t(reason.key, lang, **params)


def reasons_text(reasons: Iterable[Reason], lang: str, districts: Any = None) -> str:
    """Several reasons as one text: sentences side by side (each ends with its own full stop)."""
    return ("" if i18n.normalize_language(lang) == "zh" else " ").join(
        reason_text(r, lang, districts) for r in reasons)
