"""The investment office's one window on duplicates: the queue of likely pairs and a decision applied —
recorded (append-only), and for "the same project" the kept record updated and the other retired into it,
as one version, with the ledger's registrations moved to the kept code so the earlier one still wins."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import pandas as pd

from heatmap.access import Action, Viewer, allowed
from heatmap.model import Problem, ValidationError
from heatmap.pipeline import duplicates, ledger, rulebook
from heatmap.store import Store


def queue(store: Store, projects: pd.DataFrame) -> list[duplicates.PairMatch]:
    """Every likely pair across districts not yet decided, best first (by the matching rules in force)."""
    return duplicates.find_all_pairs(projects, rulebook.rules(store, "duplicates"), decided=store.decided_pairs())


def both_sides(store: Store, pair: duplicates.PairMatch, projects: pd.DataFrame) -> duplicates.OfficePair:
    """The two records of a queued pair, in full, for the office."""
    return duplicates.office_pair(pair, projects, rules=rulebook.rules(store, "duplicates"))


def named(params: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """Params with district codes as names (for a decision's sentence)."""
    return {k: names.get(v, v) if isinstance(v, str) else v for k, v in params.items()}


def decide(store: Store, viewer: Viewer, pair: duplicates.PairMatch, projects: pd.DataFrame, outcome: str,
           hosting_district: str | None, note: str | None = None) -> duplicates.DecisionEffect:
    """Record the office's decision on a pair and apply it. Refused (ValidationError) for anyone but the
    office and administrators, and when the decision does not fit the pair."""
    if not allowed(viewer, Action.RESOLVE_DUPLICATES):
        raise ValidationError([Problem("", "duplicates", "not_allowed", {"value": viewer.role.value})])
    base: dict[str, int | None] = {}
    records = store.stored_records("project", list(pair.codes), base)
    decision = duplicates.Decision(pair.pair, outcome, hosting_district if outcome == "same" else None, None,
                                   viewer.username or "", dt.datetime.now(dt.UTC).replace(tzinfo=None), note or "")
    effect = duplicates.apply_decision(decision, records)
    if not effect.ok:
        raise ValidationError([Problem("", "duplicates", r.key.rsplit(".", 1)[-1], dict(r.params)) for r in effect.problems])
    if outcome == "same":
        kept = {**records[effect.keep], **dict(effect.changes.get(effect.keep, {}))}
        store.save("project", [kept], user=viewer.username or "", source="form", remove_codes=[effect.retire],
                   note=f"merged duplicate {effect.retire} into {effect.keep}", expected_base=base)
        entries = [ledger.Entry.from_record(r) for r in store.ledger().to_dict("records")]
        for entry in ledger.merge(entries, effect.keep, effect.retire):
            store.append_ledger_entry(entry.to_record())
    store.decide_duplicate(*pair.codes, outcome, user=viewer.username or "", hosting_district=decision.hosting_district,
                           first_contact_district=(effect.changes.get(effect.keep, {}) or {}).get("origin_district"),
                           note=note)
    return effect
