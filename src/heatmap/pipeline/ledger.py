"""信息首报 (seed 三(四)): who first registered a project, proved by an append-only ledger, and the award basis.

The ledger is a list of `Entry` values that only ever grows. Nothing in it is edited or deleted:
- `register`: a registrant (a district, a city department, a partner organisation or an individual referrer)
  registers a project; the system stamps `registered_at` (the user never types it: 宜春 makes the
  registration time what proves "first").
- `correction`: a new entry that points (`corrects`) at the latest version of a registration and replaces its
  content (project, registrant, flags, shares, note). The registration keeps the ORIGINAL timestamp for
  "first": correcting a misspelt name does not make a registration later, nor an earlier one.
- `confirm`: the receiving district confirms a registration (宣州: the receiving district is one of the four
  parties who confirm; 广州: the receiver confirms in writing). It points at the version it confirms; a later
  correction of who referred (registrant, shares, flags) needs a new confirmation, a move to another project
  record by a duplicate merge does not.
- `withdraw`: points at a registration; from then on it no longer counts. Registering again is a new
  registration with a new timestamp.

`first_registration` answers who registered a project first (and why); `merge` returns the entries that move
one record's registrations onto the record it was merged into (so the earlier of either wins);
`verify_append_only` proves an old ledger is an unchanged prefix of a new one; `award_basis` and `award_list`
compute the award at settlement from the fixed-asset investment actually formed. Pure functions: the store
keeps the entries and calls `new_entry` / `merge` to make new ones and `verify_append_only` before it writes.
"""
from __future__ import annotations

import calendar
import datetime as dt
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.model import is_missing
from heatmap.pipeline.reasons import Reason, district_names, reasons_text


class RegistrantKind(StrEnum):
    DISTRICT = "district"  # 区镇 (registrant is the district's code)
    DEPARTMENT = "department"  # 市级部门
    PARTNER = "partner"  # 合作机构: 商会, 中介, 驻外招商机构
    INDIVIDUAL = "individual"  # 个人 (an individual referrer)


class EntryKind(StrEnum):
    REGISTER = "register"
    CORRECTION = "correction"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Share:
    """One referrer's part of a joint registration (德州: several referrers share the award)."""

    registrant: str
    registrant_kind: str
    share: float  # a fraction; the shares of one registration sum to 1
    state_employee: bool = False  # 德州: a state employee's award goes to the unit
    unit: str = ""  # the employing unit (required for a state employee)


@dataclass(frozen=True)
class Entry:
    """One line of the ledger. `id` and `registered_at` are set by the system (`new_entry`), never by a user."""

    id: int
    project_code: str
    registrant_kind: str
    registrant: str
    registered_at: dt.datetime  # naive UTC, like every stored moment
    note: str = ""
    corrects: int | None = None  # the entry this one acts on: corrects, confirms or withdraws
    kind: str = EntryKind.REGISTER.value
    state_employee: bool = False
    unit: str = ""
    shares: tuple[Share, ...] = ()  # empty: the registrant alone, share 1
    merged_from: str = ""  # a correction made by a duplicate merge: the record's code before
    recorded_by: str = ""  # the account that appended the entry (audit), set by the store

    def to_record(self) -> dict[str, Any]:
        """A plain dict for the store: every value a str, int, bool, None or (registered_at) a datetime; shares
        as a list of dicts."""
        rec = {f.name: getattr(self, f.name) for f in fields(self)}
        rec["shares"] = [{f.name: getattr(s, f.name) for f in fields(s)} for s in self.shares]
        return rec

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> Entry:
        """The entry of a stored record (missing optional values, NaN and None, become their defaults)."""
        def text(name):
            value = rec.get(name)
            return "" if is_missing(value) else str(value)

        corrects = rec.get("corrects")
        at = rec["registered_at"]
        if isinstance(at, pd.Timestamp):
            at = at.to_pydatetime()
        elif isinstance(at, str):
            at = dt.datetime.fromisoformat(at)
        shares = rec.get("shares")
        shares = json.loads(shares) if isinstance(shares, str) and shares.strip() else shares  # a JSON column
        shares = [] if is_missing(shares) or isinstance(shares, (str, float)) else shares
        return cls(
            id=int(rec["id"]), project_code=str(rec["project_code"]), registrant_kind=str(rec["registrant_kind"]),
            registrant=str(rec["registrant"]), registered_at=at, note=text("note"),
            corrects=None if is_missing(corrects) else int(corrects), kind=str(rec.get("kind") or EntryKind.REGISTER),
            state_employee=bool(rec.get("state_employee") or False), unit=text("unit"),
            shares=tuple(Share(**{**s, "share": float(s["share"]), "unit": s.get("unit") or ""}) for s in shares),
            merged_from=text("merged_from"), recorded_by=text("recorded_by"),
        )


# The content a correction replaces; of it, who is paid needs a new confirmation when it changes.
CONTENT = ("project_code", "registrant_kind", "registrant", "note", "state_employee", "unit", "shares", "merged_from")
WHO = ("registrant_kind", "registrant", "state_employee", "unit", "shares")


class LedgerError(Exception):
    """An entry was refused; nothing is appended. `reasons` say why."""

    def __init__(self, reasons: Iterable[Reason]):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(r) for r in self.reasons) or "refused")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- chains: a registration and its corrections, confirmations, withdrawal ---------------------------------


@dataclass
class Chain:
    root: Entry
    versions: list[Entry]  # root first, then each correction
    withdrawn: Entry | None = None
    confirmations: list[Entry] = field(default_factory=list)

    @property
    def head(self) -> Entry:
        return self.versions[-1]

    def valid_confirmations(self) -> tuple[Entry, ...]:
        """The confirmations still valid for the current content (none after a change of who is referred)."""
        head_who = _who(self.head)
        valid_from = 0  # index of the earliest version with the head's "who"
        for i in range(len(self.versions) - 1, -1, -1):
            if _who(self.versions[i]) != head_who:
                break
            valid_from = i
        ids = {v.id for v in self.versions[valid_from:]}
        return tuple(c for c in self.confirmations if c.corrects in ids)


def _who(entry: Entry) -> tuple:
    return tuple(getattr(entry, name) for name in WHO)


def _resolve(entries: Iterable[Entry]) -> tuple[dict[int, Chain], list[tuple[Entry, Reason]], dict[int, int]]:
    """Chains by root id, the entries that fit no chain (with why), and each entry's root id, in id order."""
    chains: dict[int, Chain] = {}
    root_of: dict[int, int] = {}
    bad: list[tuple[Entry, Reason]] = []
    seen: set[int] = set()
    for e in sorted(entries, key=lambda e: e.id):
        problem = _structure_problem(e, chains, root_of, seen)
        seen.add(e.id)
        if problem:
            bad.append((e, problem))
            continue
        if e.kind == EntryKind.REGISTER:
            chains[e.id] = Chain(e, [e])
            root_of[e.id] = e.id
            continue
        chain = chains[root_of[e.corrects]]
        root_of[e.id] = chain.root.id
        if e.kind == EntryKind.CORRECTION:
            chain.versions.append(e)
        elif e.kind == EntryKind.CONFIRM:
            chain.confirmations.append(e)
        else:
            chain.withdrawn = e
    return chains, bad, root_of


def _structure_problem(e: Entry, chains: dict[int, Chain], root_of: dict[int, int], seen: set[int]) -> Reason | None:
    """Why an entry cannot follow the entries before it (None when it can)."""
    if e.id in seen:
        return Reason("ledger.problem.duplicate_id", {"id": e.id})
    content = _content_problem(e)
    if content:
        return content
    if e.kind == EntryKind.REGISTER:
        return Reason("ledger.problem.register_points", {"id": e.id}) if e.corrects is not None else None
    if e.corrects is None:
        return Reason("ledger.problem.points_nowhere", {"id": e.id})
    if e.corrects not in root_of:
        return Reason("ledger.problem.unknown_target", {"id": e.id, "target": e.corrects})
    chain = chains[root_of[e.corrects]]
    if chain.withdrawn is not None:
        return Reason("ledger.problem.withdrawn", {"id": e.id, "target": chain.root.id})
    if e.corrects not in {v.id for v in chain.versions}:  # a confirmation or withdrawal is not corrected
        return Reason("ledger.problem.target_not_registration", {"id": e.id, "target": e.corrects})
    if e.kind != EntryKind.CORRECTION and e.project_code != chain.head.project_code:
        return Reason("ledger.problem.other_project", {"id": e.id, "target": e.corrects,
                                                       "project": chain.head.project_code})
    if e.kind == EntryKind.CORRECTION and e.corrects != chain.head.id:
        return Reason("ledger.problem.not_latest", {"id": e.id, "target": e.corrects, "latest": chain.head.id})
    if e.kind == EntryKind.CONFIRM:
        if e.registrant_kind != RegistrantKind.DISTRICT:
            return Reason("ledger.problem.confirm_not_district", {"id": e.id})
        if e.corrects != chain.head.id:
            return Reason("ledger.problem.not_latest", {"id": e.id, "target": e.corrects, "latest": chain.head.id})
        if any(c.registrant == e.registrant for c in chain.valid_confirmations()):
            return Reason("ledger.problem.already_confirmed", {"id": e.id, "district": e.registrant})
    return None


def _content_problem(e: Entry) -> Reason | None:
    if e.kind not in tuple(EntryKind):
        return Reason("ledger.problem.unknown_entry_kind", {"id": e.id, "value": e.kind})
    if e.registrant_kind not in tuple(RegistrantKind):
        return Reason("ledger.problem.unknown_registrant_kind", {"id": e.id, "value": e.registrant_kind})
    if not e.project_code.strip():
        return Reason("ledger.problem.no_project", {"id": e.id})
    if not e.registrant.strip():
        return Reason("ledger.problem.no_registrant", {"id": e.id})
    if not isinstance(e.registered_at, dt.datetime) or e.registered_at.tzinfo is not None:
        return Reason("ledger.problem.bad_time", {"id": e.id})
    if e.state_employee and not e.unit.strip():
        return Reason("ledger.problem.state_employee_without_unit", {"id": e.id, "referrer": e.registrant})
    if e.shares:
        return _shares_problem(e)
    return None


def _shares_problem(e: Entry) -> Reason | None:
    names = [s.registrant.strip() for s in e.shares]
    if any(not n for n in names) or len(set(names)) != len(names):
        return Reason("ledger.problem.share_names", {"id": e.id})
    for s in e.shares:
        if s.registrant_kind not in tuple(RegistrantKind):
            return Reason("ledger.problem.unknown_registrant_kind", {"id": e.id, "value": s.registrant_kind})
        if not isinstance(s.share, (int, float)) or not 0 < s.share <= 1:
            return Reason("ledger.problem.share_range", {"id": e.id, "referrer": s.registrant})
        if s.state_employee and not s.unit.strip():
            return Reason("ledger.problem.state_employee_without_unit", {"id": e.id, "referrer": s.registrant})
    total = sum(s.share for s in e.shares)
    if abs(total - 1) > 1e-9:
        return Reason("ledger.problem.shares_sum", {"id": e.id, "total": round(total, 6)})
    return None


def check_ledger(entries: Iterable[Entry]) -> list[Reason]:
    """Every entry that does not fit the ones before it (the store refuses these; the readers skip them)."""
    return [reason for _, reason in _resolve(entries)[1]]


# --- appending --------------------------------------------------------------------------------------------


def new_entry(entries: Sequence[Entry], *, kind: str, project_code: str, registrant_kind: str, registrant: str,
              note: str = "", corrects: int | None = None, state_employee: bool = False, unit: str = "",
              shares: Iterable[Share] = (), merged_from: str = "", recorded_by: str = "",
              now: dt.datetime | None = None) -> Entry:
    """The next entry of the ledger: the system gives it the next id and the time (naive UTC) now.

    Raises LedgerError (nothing to append) when it does not fit: see `check_ledger`; also when the clock
    stands before the last entry's time (a ledger's timestamps never go back).
    """
    now = utcnow() if now is None else now
    last_id = max((e.id for e in entries), default=0)
    entry = Entry(id=last_id + 1, project_code=project_code.strip(), registrant_kind=str(registrant_kind),
                  registrant=registrant.strip(), registered_at=now, note=note.strip(), corrects=corrects, kind=str(kind),
                  state_employee=state_employee, unit=unit.strip(), shares=tuple(shares), merged_from=merged_from,
                  recorded_by=recorded_by)
    latest = max((e.registered_at for e in entries), default=None)
    if latest is not None and now < latest:
        raise LedgerError([Reason("ledger.problem.time_went_back", {"id": entry.id, "latest_at": latest})])
    chains, _, root_of = _resolve(entries)
    problem = _structure_problem(entry, chains, root_of, {e.id for e in entries})
    if problem:
        raise LedgerError([problem])
    return entry


def correction_of(entries: Sequence[Entry], target: int, *, now: dt.datetime | None = None, recorded_by: str = "",
                  **changes: Any) -> Entry:
    """A correction of entry `target`: its content with `changes` (any of CONTENT), everything else kept."""
    unknown = set(changes) - set(CONTENT)
    if unknown:
        raise LedgerError([Reason("ledger.problem.not_content", {"fields": sorted(unknown)})])
    base = next((e for e in entries if e.id == target), None)
    if base is None:
        raise LedgerError([Reason("ledger.problem.unknown_target", {"id": max((e.id for e in entries), default=0) + 1,
                                                                     "target": target})])
    content = {name: getattr(base, name) for name in CONTENT} | changes
    return new_entry(entries, kind=EntryKind.CORRECTION, corrects=target, now=now, recorded_by=recorded_by, **content)


# --- first registration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """A registration as it stands: its current content, its original time, its confirmation."""

    root_id: int
    entry: Entry  # the current version (the root itself, or its latest correction)
    registered_at: dt.datetime  # the ORIGINAL registration's time: what "first" is decided on
    confirmations: tuple[Entry, ...]  # the confirmations valid for the current content, earliest first

    @property
    def confirmation(self) -> Entry | None:
        return self.confirmations[0] if self.confirmations else None

    @property
    def corrected(self) -> bool:
        return self.entry.id != self.root_id


@dataclass(frozen=True)
class FirstRegistration:
    """Who registered a project first (None: nobody), the others after it, and why."""

    first: Registration | None
    later: tuple[Registration, ...]
    reasons: tuple[Reason, ...]


def registrations(entries: Iterable[Entry], project_code: str) -> list[Registration]:
    """The live (not withdrawn) registrations of a project, earliest first (ties: lower id)."""
    return _registrations(_by_project(_resolve(entries)[0]).get(project_code, []))


def _by_project(chains: Mapping[int, Chain]) -> dict[str, list[Chain]]:
    """The chains by the project their current version names."""
    out: dict[str, list[Chain]] = {}
    for chain in chains.values():
        out.setdefault(chain.head.project_code, []).append(chain)
    return out


def _registrations(chains: Iterable[Chain]) -> list[Registration]:
    live = [Registration(c.root.id, c.head, c.root.registered_at, c.valid_confirmations())
            for c in chains if c.withdrawn is None]
    return sorted(live, key=lambda r: (r.registered_at, r.root_id))


def first_registration(entries: Iterable[Entry], project_code: str) -> FirstRegistration:
    """Who registered `project_code` first: the earliest live registration by its original time (ties: lower
    id), with the later ones and the reasons."""
    return _first(_by_project(_resolve(entries)[0]).get(project_code, []), project_code)


def _first(chains: Sequence[Chain], project_code: str) -> FirstRegistration:
    live = _registrations(chains)
    withdrawn = sum(1 for c in chains if c.withdrawn is not None)
    reasons: list[Reason] = []
    if not live:
        reasons.append(Reason("ledger.first.none", {"project": project_code}))
    else:
        first, later = live[0], live[1:]
        params = {"registrant": first.entry.registrant, "registrant_kind": first.entry.registrant_kind,
                  "registered_at": first.registered_at, "others": len(later)}
        if later and later[0].registered_at == first.registered_at:
            reasons.append(Reason("ledger.first.tie_lower_id", params | {"id": first.root_id}))
        elif later:
            reasons.append(Reason("ledger.first.earliest", params))
        else:
            reasons.append(Reason("ledger.first.only", params))
        if first.corrected:
            reasons.append(Reason("ledger.first.corrected_keeps_time", {"registered_at": first.registered_at}))
        merged = [r for r in live if r.entry.merged_from]
        if merged:
            reasons.append(Reason("ledger.first.merged", {"codes": sorted({r.entry.merged_from for r in merged})}))
    if withdrawn:
        reasons.append(Reason("ledger.first.withdrawn_ignored", {"n": withdrawn}))
    return FirstRegistration(live[0] if live else None, tuple(live[1:]), tuple(reasons))


def merge(entries: Sequence[Entry], keep_code: str, merged_code: str, *, now: dt.datetime | None = None,
          recorded_by: str = "") -> list[Entry]:
    """The entries to append when the duplicate check merges record `merged_code` into `keep_code`.

    Each live registration of the merged record gets a correction moving it to the kept record (content and
    original time unchanged, `merged_from` saying where it came from), so `first_registration(keep_code)`
    compares the registrations of both and the earlier wins. History is not rewritten; merging twice
    appends nothing the second time.
    """
    if keep_code == merged_code:
        raise LedgerError([Reason("ledger.problem.merge_into_itself", {"project": keep_code})])
    out: list[Entry] = []
    for reg in registrations(entries, merged_code):
        out.append(correction_of([*entries, *out], reg.entry.id, now=now, recorded_by=recorded_by,
                                 project_code=keep_code, merged_from=merged_code))
    return out


# --- integrity ----------------------------------------------------------------------------------------------


def verify_append_only(old_entries: Iterable[Entry], new_entries: Iterable[Entry]) -> list[Reason]:
    """What breaks "append-only" between two readings of a ledger (empty: `new` is `old` plus new entries).

    Every old entry must be present and unchanged; new entries have higher ids than every old one; in id order
    no time goes back; and every new entry fits the ones before it (`check_ledger`).
    """
    old = list(old_entries)
    new = list(new_entries)
    problems: list[Reason] = []
    by_id: dict[int, Entry] = {}
    for e in new:
        if e.id in by_id:
            problems.append(Reason("ledger.problem.duplicate_id", {"id": e.id}))
        by_id[e.id] = e
    for e in old:
        now = by_id.get(e.id)
        if now is None:
            problems.append(Reason("ledger.problem.entry_removed", {"id": e.id}))
        elif now != e:
            changed = [f.name for f in fields(Entry) if getattr(now, f.name) != getattr(e, f.name)]
            problems.append(Reason("ledger.problem.entry_changed", {"id": e.id, "fields": changed}))
    old_ids = {e.id for e in old}
    top = max(old_ids, default=0)
    added = [e for e in new if e.id not in old_ids]
    problems += [Reason("ledger.problem.id_not_growing", {"id": e.id, "top": top}) for e in added if e.id < top]
    ordered = sorted(by_id.values(), key=lambda e: e.id)
    for before, after in itertools.pairwise(ordered):
        if after.registered_at < before.registered_at:
            problems.append(Reason("ledger.problem.time_went_back", {"id": after.id, "latest_at": before.registered_at}))
    added_ids = {e.id for e in added}
    problems += [reason for e, reason in _resolve(new)[1] if e.id in added_ids]
    return problems


# --- the award at settlement ----------------------------------------------------------------------------------

# The award rules (rules are data: an administrator edits them; `validate_rules` checks an edit).
DEFAULT_RULES: dict[str, Any] = {
    # Size bands of the fixed-asset investment actually formed, in CNY (yuan), ascending; the last is open.
    # Rates from 宣州 (pipeline-rules.md: 3‰ / 2‰ / 1.5‰ of the fixed-asset investment actually formed, by size
    # band). The published summary gives no band limits; 1 亿 and 10 亿 are the large-project thresholds used by
    # the scoreboards in the same notes (≥1/3/10 亿), so: up to 1 亿 at 3‰, 1–10 亿 at 2‰, above 10 亿 at 1.5‰.
    "bands": [
        {"up_to_cny": 100_000_000, "rate_permille": 3.0},
        {"up_to_cny": 1_000_000_000, "rate_permille": 2.0},
        {"up_to_cny": None, "rate_permille": 1.5},
    ],
    # "marginal": each band's rate applies to the part of the investment inside the band (分段累计), so a larger
    # project never earns less (the whole-amount reading pays 30 万 for 1 亿 but 20.2 万 for 1.01 亿).
    # "whole": the rate of the band the investment falls in applies to all of it (a band includes its limit).
    "method": "marginal",
    # 宣州: the award is claimed within one year of completion (calendar months after `completed_on`).
    "claim_window_months": 12,
    # The receiving district must have confirmed the registration (宣州, 广州).
    "require_confirmation": True,
    # 宜春: the referrer registers before the referral; a registration after completion proves nothing.
    "register_before_completion": True,
    # An upper limit for one project's award in CNY; None: no limit (none of the sources names one).
    "max_award_cny": None,
}
_RULE_KEYS = set(DEFAULT_RULES)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_rules(rules: Mapping[str, Any]) -> list[Reason]:
    """What is wrong with edited award rules (empty: they can be stored); each reason names its setting in
    its `item` or `rule` param."""
    problems = [Reason("ledger.rules.unknown_key", {"item": k}) for k in sorted(set(rules) - _RULE_KEYS)]
    problems += [Reason("ledger.rules.missing_key", {"item": k}) for k in sorted(_RULE_KEYS - set(rules))]
    bands = rules.get("bands")
    if not isinstance(bands, list) or not bands:
        problems.append(Reason("ledger.rules.no_bands", {"rule": "bands"}))
    else:
        previous = 0.0
        for i, band in enumerate(bands, start=1):
            if not isinstance(band, Mapping) or set(band) != {"up_to_cny", "rate_permille"}:
                problems.append(Reason("ledger.rules.band_shape", {"rule": "bands", "band": i}))
                continue
            rate, limit = band["rate_permille"], band["up_to_cny"]
            if not _is_number(rate) or not 0 <= rate <= 1000:
                problems.append(Reason("ledger.rules.band_rate", {"rule": "bands", "band": i}))
            last = i == len(bands)
            if last and limit is not None:
                problems.append(Reason("ledger.rules.last_band_open", {"rule": "bands", "band": i}))
            elif not last and (not _is_number(limit) or limit <= previous):
                problems.append(Reason("ledger.rules.band_limit", {"rule": "bands", "band": i}))
            elif not last:
                previous = limit
    if rules.get("method") not in ("marginal", "whole"):
        problems.append(Reason("ledger.rules.method", {"rule": "method", "value": str(rules.get("method"))}))
    months = rules.get("claim_window_months")
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        problems.append(Reason("ledger.rules.claim_window", {"rule": "claim_window_months"}))
    for flag in ("require_confirmation", "register_before_completion"):
        if flag in rules and not isinstance(rules[flag], bool):
            problems.append(Reason("ledger.rules.not_a_flag", {"item": flag}))
    cap = rules.get("max_award_cny")
    if cap is not None and (not _is_number(cap) or cap <= 0):
        problems.append(Reason("ledger.rules.max_award", {"rule": "max_award_cny"}))
    return problems


@dataclass(frozen=True)
class AwardShare:
    referrer: str
    referrer_kind: str
    share: float
    payee: str  # the referrer, or a state employee's unit
    paid_to_unit: bool
    amount: float  # CNY, to the fen; the shares of a project add up to its amount exactly


@dataclass(frozen=True)
class AwardBasis:
    """The award of one project: amount (CNY), the top band reached (0-based, None if no investment), the
    effective rate in ‰ (amount ÷ investment), each referrer's share and payee, and why."""

    amount: float
    band: int | None
    rate: float
    shares: tuple[AwardShare, ...]
    reasons: tuple[Reason, ...]
    eligible: bool
    first: Registration | None = None
    parts: tuple[tuple[int, float, float, float], ...] = ()  # (band, base in band CNY, rate ‰, amount CNY)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _band_of(investment: float, bands: Sequence[Mapping[str, Any]]) -> int:
    return next(i for i, b in enumerate(bands) if b["up_to_cny"] is None or investment <= b["up_to_cny"])


def _amount(investment: float, rules: Mapping[str, Any]) -> tuple[float, int, tuple]:
    bands = rules["bands"]
    top = _band_of(investment, bands)
    if rules["method"] == "whole":
        rate = bands[top]["rate_permille"]
        amount = investment * rate / 1000
        return amount, top, ((top, investment, rate, amount),)
    parts, lower = [], 0.0
    for i, band in enumerate(bands[: top + 1]):
        upper = investment if band["up_to_cny"] is None else min(investment, band["up_to_cny"])
        base = max(0.0, upper - lower)
        parts.append((i, base, band["rate_permille"], base * band["rate_permille"] / 1000))
        lower = band["up_to_cny"] or lower
    return sum(p[3] for p in parts), top, tuple(parts)


def _split(amount: float, shares: Sequence[Share]) -> list[float]:
    """Each share's amount to the fen, adding up to the amount exactly: every share gets its fen rounded down,
    and the fen left over go one each to the largest remainders (ties: the earlier referrer)."""
    fen = round(amount * 100)
    exact = [fen * s.share for s in shares]
    parts = [math.floor(x + 1e-9) for x in exact]
    for i in sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))[: fen - sum(parts)]:
        parts[i] += 1
    return [p / 100 for p in parts]


def _nothing(reasons: list[Reason], first: Registration | None = None) -> AwardBasis:
    return AwardBasis(0.0, None, 0.0, (), tuple(reasons), False, first)


def award_basis(entries: Iterable[Entry], project: Mapping[str, Any], actual_investment_cny: float | None,
                completed_on: dt.date | None, rules: Mapping[str, Any] = DEFAULT_RULES, *,
                claimed_on: dt.date | None = None, _chains: Mapping[str, list[Chain]] | None = None) -> AwardBasis:
    """The first-report award of a settled project, computed when it is claimed (`claimed_on`, default today).

    `project` is a project record (its `code` and hosting `district`); `actual_investment_cny` is the
    fixed-asset investment actually formed, in yuan. Not eligible (amount 0, with the reason): nobody
    registered it, the registration is not confirmed by the hosting district, it was registered after
    completion, the project is not completed, the claim window has closed, or no investment was formed.
    """
    problems = validate_rules(rules)
    if problems:
        raise LedgerError(problems)
    claimed_on = claimed_on or dt.date.today()
    by_project = _by_project(_resolve(entries)[0]) if _chains is None else _chains
    found = _first(by_project.get(project["code"], []), project["code"])
    reasons = list(found.reasons)
    first = found.first
    if first is None:
        return _nothing(reasons)
    if completed_on is None or is_missing(completed_on) or completed_on > claimed_on:
        return _nothing(reasons + [Reason("ledger.award.not_completed")], first)
    deadline = add_months(completed_on, rules["claim_window_months"])
    if claimed_on > deadline:
        return _nothing(reasons + [Reason("ledger.award.window_closed", {"deadline_on": deadline})], first)
    if rules["register_before_completion"] and first.registered_at.date() > completed_on:
        return _nothing(reasons + [Reason("ledger.award.registered_after_completion",
                                          {"registered_at": first.registered_at, "completed_on": completed_on})], first)
    district = project.get("district")
    if rules["require_confirmation"]:
        if not first.confirmations:
            return _nothing(reasons + [Reason("ledger.award.not_confirmed", {"district": district})], first)
        confirmation = next((c for c in first.confirmations if c.registrant == district), None)
        if confirmation is None:
            return _nothing(reasons + [Reason("ledger.award.confirmed_elsewhere", {
                "confirmed_district": first.confirmations[0].registrant, "district": district})], first)
        reasons.append(Reason("ledger.award.confirmed", {"district": district, "confirmed_at": confirmation.registered_at}))
    if actual_investment_cny is None or is_missing(actual_investment_cny) or actual_investment_cny <= 0:
        return _nothing(reasons + [Reason("ledger.award.no_investment")], first)
    investment = float(actual_investment_cny)
    amount, band, parts = _amount(investment, rules)
    reasons.append(Reason({"marginal": "ledger.award.band_marginal", "whole": "ledger.award.band_whole"}[rules["method"]], {
        "investment_cny": investment, "band": band + 1, "rate_permille": rules["bands"][band]["rate_permille"]}))
    reasons.append(Reason("ledger.award.within_window", {"deadline_on": deadline}))
    cap = rules["max_award_cny"]
    if cap is not None and amount > cap:
        reasons.append(Reason("ledger.award.capped", {"amount_cny": amount, "max_cny": cap}))
        amount = float(cap)
    amount = round(amount, 2)
    entry = first.entry
    shares = entry.shares or (Share(entry.registrant, entry.registrant_kind, 1.0, entry.state_employee, entry.unit),)
    award_shares = []
    for share, part in zip(shares, _split(amount, shares)):
        payee = share.unit if share.state_employee else share.registrant
        award_shares.append(AwardShare(share.registrant, share.registrant_kind, share.share, payee,
                                       share.state_employee, part))
        if share.state_employee:
            reasons.append(Reason("ledger.award.paid_to_unit", {"referrer": share.registrant, "unit": share.unit}))
    if len(shares) > 1:
        reasons.append(Reason("ledger.award.shared", {"n": len(shares)}))
    return AwardBasis(amount, band, amount / investment * 1000, tuple(award_shares), tuple(reasons), True, first, parts)


AWARD_COLUMNS = ("code", "name", "district", "referrer", "referrer_kind", "registered_at", "confirmed",
                 "actual_investment_cny", "completed_on", "band", "rate_permille", "award_cny", "share", "payee",
                 "share_cny", "eligible", "reasons")


def band_label(rules: Mapping[str, Any], band: int | None, lang: str) -> str:
    """A size band as people say it: 1.00 亿元以下 / 1.00 亿元–10.00 亿元 / 10.00 亿元以上."""
    if band is None:
        return "–"
    bands = rules["bands"]
    lower = bands[band - 1]["up_to_cny"] if band > 0 else None
    upper = bands[band]["up_to_cny"]
    money = lambda cny: i18n.fmt_cny_wan(cny / 10_000, lang)
    if lower is None and upper is None:
        return i18n.t("ledger.band.any", lang)
    if lower is None:
        return i18n.t("ledger.band.up_to", lang, upper=money(upper))
    if upper is None:
        return i18n.t("ledger.band.above", lang, lower=money(lower))
    return i18n.t("ledger.band.between", lang, lower=money(lower), upper=money(upper))


def award_list(entries: Iterable[Entry], projects: Any, settlements: Iterable[Mapping[str, Any]],
               rules: Mapping[str, Any] = DEFAULT_RULES, lang: str = "zh", *, districts: Any = None,
               claimed_on: dt.date | None = None) -> pd.DataFrame:
    """The office's award list: one row per payee of each settled project (one row, amount 0, when not
    eligible), columns labelled in `lang`, every cell filled (numbers 0, text "–", never None or NaN).

    `settlements` are mappings with `project_code`, `actual_investment_cny` and `completed_on`; `projects`
    a frame or records (code, name, district); `districts` the district records, to name districts.
    """
    entries = list(entries)
    chains = _by_project(_resolve(entries)[0])  # read the ledger once for the whole list
    records = projects.to_dict("records") if hasattr(projects, "to_dict") else list(projects)
    by_code = {r["code"]: r for r in records}
    names = district_names(districts, lang)
    yes, no = i18n.t("ledger.yes", lang), i18n.t("ledger.no", lang)

    def text(value: Any) -> str:
        return "–" if is_missing(value) else str(value)

    def who(name: str, kind: str) -> str:
        return names.get(name, name) if kind == RegistrantKind.DISTRICT else name

    rows = []
    for settlement in settlements:
        code = settlement["project_code"]
        project = by_code.get(code, {"code": code})
        basis = award_basis(entries, project, settlement.get("actual_investment_cny"), settlement.get("completed_on"),
                            rules, claimed_on=claimed_on, _chains=chains)
        first = basis.first
        investment = settlement.get("actual_investment_cny")
        completed = settlement.get("completed_on")
        common = {
            "code": code, "name": text(project.get("name")),
            "district": names.get(project.get("district"), text(project.get("district"))),
            "registered_at": i18n.fmt_datetime(first.registered_at, lang) if first else "–",
            "confirmed": yes if first and first.confirmation else no,
            "actual_investment_cny": 0.0 if is_missing(investment) else float(investment),
            "completed_on": "–" if is_missing(completed) else i18n.fmt_date(completed, lang),
            "band": band_label(rules, basis.band, lang), "rate_permille": round(basis.rate, 4),
            "award_cny": basis.amount, "eligible": yes if basis.eligible else no,
            "reasons": reasons_text(basis.reasons, lang, districts),
        }
        if basis.shares:
            for s in basis.shares:
                rows.append(common | {"referrer": who(s.referrer, s.referrer_kind),
                                      "referrer_kind": i18n.label("ledger.registrant_kind", s.referrer_kind, lang),
                                      "share": s.share, "payee": who(s.payee, "" if s.paid_to_unit else s.referrer_kind),
                                      "share_cny": s.amount})
        else:
            entry = first.entry if first else None
            rows.append(common | {
                "referrer": who(entry.registrant, entry.registrant_kind) if entry else "–",
                "referrer_kind": i18n.label("ledger.registrant_kind", entry.registrant_kind, lang) if entry else "–",
                "share": 0.0, "payee": "–", "share_cny": 0.0})
    frame = pd.DataFrame(rows, columns=list(AWARD_COLUMNS))
    return frame.rename(columns={c: i18n.t(f"ledger.col.{c}", lang) for c in AWARD_COLUMNS})

