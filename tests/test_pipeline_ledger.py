"""信息首报: the first-report ledger (append-only, corrections keep first-ness, merges) and the award basis."""
import datetime as dt
import math

import pandas as pd
import pytest

from heatmap.pipeline import ledger
from heatmap.pipeline.ledger import (
    DEFAULT_RULES,
    Entry,
    EntryKind,
    LedgerError,
    RegistrantKind,
    Share,
    award_basis,
    award_list,
    correction_of,
    first_registration,
    merge,
    new_entry,
    verify_append_only,
)
from heatmap.pipeline.reasons import reason_text

DISTRICTS = pd.DataFrame({
    "code": ["liuhe", "port", "shaxi"],
    "name_zh": ["浏河镇", "太仓港经济技术开发区", "沙溪镇"],
    "name_en": ["Liuhe Town", "Taicang Port Economic and Technological Development Zone", "Shaxi Town"],
})
PROJECT = {"code": "TC-PJ-00017", "name": "舍弗勒精密轴承扩产项目", "district": "liuhe"}
T0 = dt.datetime(2024, 3, 1, 1, 30)  # naive UTC: 09:30 in Taicang


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


class Ledger:
    """A ledger the way the store keeps one: entries appended through new_entry, with a clock we control."""

    def __init__(self):
        self.entries: list[Entry] = []

    def append(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        return entry

    def register(self, registrant, registrant_kind=RegistrantKind.INDIVIDUAL, *, day, code=PROJECT["code"], **extra):
        return self.append(new_entry(self.entries, kind=EntryKind.REGISTER, project_code=code,
                                     registrant_kind=registrant_kind,
                                     registrant=registrant, now=at(day), **extra))

    def correct(self, target, *, day, **changes):
        return self.append(correction_of(self.entries, target.id, now=at(day), **changes))

    def confirm(self, target, district="liuhe", *, day):
        return self.append(new_entry(self.entries, kind=EntryKind.CONFIRM, project_code=target.project_code,
                                     registrant_kind=RegistrantKind.DISTRICT, registrant=district, corrects=target.id,
                                     now=at(day)))

    def withdraw(self, target, *, day):
        return self.append(new_entry(self.entries, kind=EntryKind.WITHDRAW, project_code=target.project_code,
                                     registrant_kind=target.registrant_kind, registrant=target.registrant,
                                     corrects=target.id, now=at(day)))


@pytest.fixture
def book():
    return Ledger()


# --- who was first ---------------------------------------------------------------------------------------


def test_the_earliest_registration_wins(book):
    early = book.register("liuhe", RegistrantKind.DISTRICT, day=1)
    book.register("市商务局", RegistrantKind.DEPARTMENT, day=2)
    book.register("太仓市德国商会 王立", RegistrantKind.PARTNER, day=3)
    found = first_registration(book.entries, PROJECT["code"])
    assert found.first.root_id == early.id and found.first.entry.registrant == "liuhe"
    assert [r.entry.registrant for r in found.later] == ["市商务局", "太仓市德国商会 王立"]
    assert found.reasons[0].key == "ledger.first.earliest" and found.reasons[0].params["others"] == 2
    assert reason_text(found.reasons[0], "zh", DISTRICTS).startswith("浏河镇（区镇）于 2024年3月2日 09:30 登记")
    assert "Liuhe Town (District) registered it on 2 Mar 2024 09:30" in reason_text(found.reasons[0], "en", DISTRICTS)


def test_first_is_decided_on_the_time_not_the_order_of_the_list(book):
    book.register("张伟", day=1)
    book.register("李娜", day=2)
    assert first_registration(list(reversed(book.entries)), PROJECT["code"]).first.entry.registrant == "张伟"


def test_at_the_same_moment_the_lower_entry_number_wins(book):
    a = book.register("张伟", day=1)
    book.register("李娜", day=1)
    found = first_registration(book.entries, PROJECT["code"])
    assert found.first.root_id == a.id
    assert found.reasons[0].key == "ledger.first.tie_lower_id"


def test_nobody_registered_is_said_so(book):
    book.register("张伟", day=1, code="TC-PJ-00002")
    found = first_registration(book.entries, PROJECT["code"])
    assert found.first is None and found.later == ()
    assert reason_text(found.reasons[0], "zh") == "项目 TC-PJ-00017 尚无有效的首报登记。"


def test_a_correction_replaces_the_content_but_keeps_the_original_time(book):
    first = book.register("张 伟", day=1)  # misspelt
    book.register("李娜", day=2)
    fixed = book.correct(first, day=10, registrant="张伟", note="姓名更正")
    found = first_registration(book.entries, PROJECT["code"])
    assert found.first.root_id == first.id
    assert found.first.entry == fixed and found.first.entry.registrant == "张伟" and found.first.corrected
    assert found.first.registered_at == at(1)  # not at(10): a correction does not make it later
    assert "ledger.first.corrected_keeps_time" in [r.key for r in found.reasons]
    assert first in book.entries  # the old entry stays as it was


def test_a_correction_cannot_make_a_late_registration_earlier(book):
    book.register("张伟", day=1)
    late = book.register("李娜", day=5)
    with pytest.raises(LedgerError):  # the time is the system's: not content a correction may change
        correction_of(book.entries, late.id, now=at(6), registered_at=at(0))
    book.correct(late, day=6, note="补充联系方式")
    assert first_registration(book.entries, PROJECT["code"]).first.entry.registrant == "张伟"


def test_a_withdrawn_registration_no_longer_counts_and_registering_again_is_later(book):
    early = book.register("张伟", day=1)
    book.register("李娜", day=2)
    book.withdraw(early, day=3)
    found = first_registration(book.entries, PROJECT["code"])
    assert found.first.entry.registrant == "李娜"
    assert [r.key for r in found.reasons][-1] == "ledger.first.withdrawn_ignored"
    again = book.register("张伟", day=4)
    assert first_registration(book.entries, PROJECT["code"]).first.entry.registrant == "李娜"
    assert first_registration(book.entries, PROJECT["code"]).later[0].root_id == again.id


def test_a_correction_of_an_older_version_is_refused(book):
    first = book.register("张 伟", day=1)
    book.correct(first, day=2, registrant="张伟")
    with pytest.raises(LedgerError) as refused:
        book.correct(first, day=3, registrant="张维")
    assert refused.value.reasons[0].key == "ledger.problem.not_latest"


# --- merging duplicate records --------------------------------------------------------------------------


def test_when_duplicates_merge_the_earlier_registration_of_either_wins(book):
    b = book.register("太仓市德国商会 王立", RegistrantKind.PARTNER, day=2, code="TC-PJ-00231")
    book.register("市商务局", RegistrantKind.DEPARTMENT, day=5, code="TC-PJ-00017")
    before = list(book.entries)
    appended = merge(book.entries, "TC-PJ-00017", "TC-PJ-00231", now=at(30), recorded_by="office01")
    assert [e.kind for e in appended] == ["correction"] and appended[0].corrects == b.id
    assert appended[0].merged_from == "TC-PJ-00231" and appended[0].registrant == "太仓市德国商会 王立"
    book.entries += appended
    assert verify_append_only(before, book.entries) == []  # entries appended, history untouched
    found = first_registration(book.entries, "TC-PJ-00017")
    assert found.first.root_id == b.id and found.first.registered_at == at(2)
    assert "ledger.first.merged" in [r.key for r in found.reasons]
    assert first_registration(book.entries, "TC-PJ-00231").first is None
    assert merge(book.entries, "TC-PJ-00017", "TC-PJ-00231", now=at(31)) == []  # merging twice adds nothing


def test_when_duplicates_merge_the_kept_records_earlier_registration_stays_first(book):
    a = book.register("liuhe", RegistrantKind.DISTRICT, day=1, code="TC-PJ-00017")
    book.register("shaxi", RegistrantKind.DISTRICT, day=4, code="TC-PJ-00231")
    book.entries += merge(book.entries, "TC-PJ-00017", "TC-PJ-00231", now=at(30))
    found = first_registration(book.entries, "TC-PJ-00017")
    assert found.first.root_id == a.id and [r.entry.registrant for r in found.later] == ["shaxi"]


def test_a_record_is_not_merged_into_itself(book):
    book.register("张伟", day=1)
    with pytest.raises(LedgerError):
        merge(book.entries, PROJECT["code"], PROJECT["code"], now=at(2))


# --- the system sets id and time; the ledger only grows ----------------------------------------------------


def test_the_system_numbers_and_stamps_every_entry(book):
    a = book.register("张伟", day=1)
    b = book.register("李娜", day=1.5)
    assert (a.id, b.id) == (1, 2) and b.registered_at == at(1.5)
    stamped = new_entry(book.entries, kind="register", project_code="TC-PJ-00009", registrant_kind="individual",
                        registrant="王芳")
    assert stamped.registered_at.tzinfo is None and abs(stamped.registered_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(seconds=5)


def test_a_clock_that_went_back_is_refused(book):
    book.register("张伟", day=2)
    with pytest.raises(LedgerError) as refused:
        book.register("李娜", day=1)
    assert refused.value.reasons[0].key == "ledger.problem.time_went_back"
    assert len(book.entries) == 1


def test_an_unchanged_ledger_with_new_entries_passes(book):
    first = book.register("张伟", day=1)
    old = list(book.entries)
    book.confirm(first, day=2)
    book.correct(first, day=3, note="补充：首次接洽于上海")
    assert verify_append_only(old, book.entries) == []
    assert verify_append_only(book.entries, book.entries) == []


def test_tampering_with_an_old_entry_is_detected(book):
    first = book.register("张伟", day=5)
    book.register("李娜", day=6)
    old = list(book.entries)
    from dataclasses import replace
    tampered = [replace(first, registered_at=at(0), registrant="王芳"), *book.entries[1:]]
    problems = verify_append_only(old, tampered)
    assert problems[0].key == "ledger.problem.entry_changed" and problems[0].params["id"] == first.id
    assert set(problems[0].params["fields"]) == {"registrant", "registered_at"}
    assert reason_text(problems[0], "zh").startswith("第 1 号条目被改动（首报人、登记时间）")
    assert "Entry 1 was changed (registrant, time of registration)" in reason_text(problems[0], "en")


def test_a_deleted_entry_is_detected(book):
    book.register("张伟", day=1)
    book.register("李娜", day=2)
    problems = verify_append_only(book.entries, book.entries[1:])
    assert [p.key for p in problems] == ["ledger.problem.entry_removed"] and problems[0].params["id"] == 1


def test_a_backdated_or_renumbered_new_entry_is_detected(book):
    book.register("张伟", day=1)
    book.register("李娜", day=2)
    old = list(book.entries)
    backdated = Entry(3, PROJECT["code"], "individual", "王芳", at(0.5))
    assert [p.key for p in verify_append_only(old, [*old, backdated])] == ["ledger.problem.time_went_back"]
    reused = Entry(2, PROJECT["code"], "individual", "王芳", at(3))
    keys = [p.key for p in verify_append_only(old, [*old, reused])]
    assert "ledger.problem.duplicate_id" in keys
    lower = Entry(0, PROJECT["code"], "individual", "王芳", at(3))
    keys = [p.key for p in verify_append_only(old, [lower, *old])]
    assert "ledger.problem.id_not_growing" in keys


def test_a_new_entry_that_rewrites_a_superseded_version_is_detected(book):
    first = book.register("张 伟", day=1)
    book.correct(first, day=2, registrant="张伟")
    old = list(book.entries)
    sneaky = Entry(3, PROJECT["code"], "individual", "王芳", at(3), corrects=first.id, kind="correction")
    assert [p.key for p in verify_append_only(old, [*old, sneaky])] == ["ledger.problem.not_latest"]


def test_entries_survive_the_round_trip_through_a_stored_record(book):
    first = book.register("张伟", day=1, shares=[Share("张伟", "individual", 0.5), Share("王芳", "individual", 0.5,
                                                                                          True, "太仓市发改委")])
    again = Entry.from_record(first.to_record())
    assert again == first
    stored = pd.DataFrame([first.to_record()]).to_dict("records")[0] | {"corrects": math.nan, "unit": None}
    assert Entry.from_record(stored) == first
    import json
    as_text = first.to_record() | {"shares": json.dumps(first.to_record()["shares"], ensure_ascii=False),
                                   "registered_at": first.registered_at.isoformat()}
    assert Entry.from_record(as_text) == first


@pytest.mark.parametrize("changes, key", [
    ({"shares": [Share("张伟", "individual", 0.6), Share("李娜", "individual", 0.3)]}, "ledger.problem.shares_sum"),
    ({"shares": [Share("张伟", "individual", 0.5), Share("张伟", "individual", 0.5)]}, "ledger.problem.share_names"),
    ({"state_employee": True}, "ledger.problem.state_employee_without_unit"),
    ({"registrant": "  "}, "ledger.problem.no_registrant"),
    ({"registrant_kind": "company"}, "ledger.problem.unknown_registrant_kind"),
])
def test_a_registration_that_does_not_hold_together_is_refused(book, changes, key):
    with pytest.raises(LedgerError) as refused:
        book.register(changes.pop("registrant", "张伟"), changes.pop("registrant_kind", "individual"), day=1, **changes)
    assert refused.value.reasons[0].key == key and book.entries == []


def test_only_a_district_confirms_and_not_a_withdrawn_registration(book):
    first = book.register("张伟", day=1)
    with pytest.raises(LedgerError) as refused:
        book.append(new_entry(book.entries, kind="confirm", project_code=PROJECT["code"], registrant_kind="department",
                              registrant="市商务局", corrects=first.id, now=at(2)))
    assert refused.value.reasons[0].key == "ledger.problem.confirm_not_district"
    book.confirm(first, day=2)
    with pytest.raises(LedgerError) as twice:
        book.confirm(first, day=3)
    assert twice.value.reasons[0].key == "ledger.problem.already_confirmed"
    book.withdraw(first, day=4)
    with pytest.raises(LedgerError) as late:
        book.confirm(first, "port", day=5)
    assert late.value.reasons[0].key == "ledger.problem.withdrawn"


# --- the award basis at settlement ----------------------------------------------------------------------

COMPLETED = dt.date(2025, 6, 30)
CLAIMED = dt.date(2025, 9, 1)


def confirmed_registration(book, registrant="张伟", **extra):
    first = book.register(registrant, day=1, **extra)
    book.confirm(first, day=20)
    return first


@pytest.mark.parametrize("investment_yi, award_wan, band", [
    (0.5, 15.0, 0),  # 5000 万 × 3‰
    (1.0, 30.0, 0),  # the limit belongs to the lower band
    (5.0, 110.0, 1),  # 1 亿 × 3‰ + 4 亿 × 2‰
    (20.0, 360.0, 2),  # 30 万 + 9 亿 × 2‰ + 10 亿 × 1.5‰
])
def test_award_is_computed_band_by_band_on_the_investment_actually_formed(book, investment_yi, award_wan, band):
    confirmed_registration(book)
    basis = award_basis(book.entries, PROJECT, investment_yi * 1e8, COMPLETED, DEFAULT_RULES, claimed_on=CLAIMED)
    assert basis.eligible and basis.amount == pytest.approx(award_wan * 1e4) and basis.band == band
    assert basis.rate == pytest.approx(award_wan * 1e4 / (investment_yi * 1e8) * 1000)
    assert sum(p[3] for p in basis.parts) == pytest.approx(basis.amount)
    assert [s.amount for s in basis.shares] == [basis.amount] and basis.shares[0].payee == "张伟"


def test_band_by_band_a_larger_project_never_earns_less_but_the_whole_amount_reading_does(book):
    confirmed_registration(book)
    marginal = [award_basis(book.entries, PROJECT, x, COMPLETED, claimed_on=CLAIMED).amount for x in (1e8, 1.01e8)]
    whole_rules = DEFAULT_RULES | {"method": "whole"}
    whole = [award_basis(book.entries, PROJECT, x, COMPLETED, whole_rules, claimed_on=CLAIMED).amount for x in (1e8, 1.01e8)]
    assert marginal == [300_000.0, 302_000.0]
    assert whole == [300_000.0, 202_000.0]  # the cliff the default avoids
    basis = award_basis(book.entries, PROJECT, 5e8, COMPLETED, whole_rules, claimed_on=CLAIMED)
    assert basis.amount == 1_000_000.0 and basis.rate == 2.0
    assert reason_text(next(r for r in basis.reasons if r.key == "ledger.award.band_whole"), "zh") == \
        "实际固定资产投资 5.00 亿元 属第 2 档，全额按 2‰ 计算。"


def test_the_claim_window_closes_one_year_after_completion(book):
    confirmed_registration(book)
    last_day = award_basis(book.entries, PROJECT, 5e8, COMPLETED, claimed_on=dt.date(2026, 6, 30))
    assert last_day.eligible
    too_late = award_basis(book.entries, PROJECT, 5e8, COMPLETED, claimed_on=dt.date(2026, 7, 1))
    assert not too_late.eligible and too_late.amount == 0 and too_late.shares == ()
    assert too_late.reasons[-1].key == "ledger.award.window_closed"
    assert reason_text(too_late.reasons[-1], "zh") == "已超过申报期限（2026年6月30日），不再计奖。"
    assert ledger.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_no_award_before_completion_without_confirmation_or_investment(book):
    first = book.register("张伟", day=1)
    unconfirmed = award_basis(book.entries, PROJECT, 5e8, COMPLETED, claimed_on=CLAIMED)
    assert unconfirmed.reasons[-1].key == "ledger.award.not_confirmed" and unconfirmed.amount == 0
    assert reason_text(unconfirmed.reasons[-1], "en", DISTRICTS) == \
        "The receiving district, Liuhe Town, has not confirmed the referral."
    book.confirm(first, "shaxi", day=5)  # not the district that hosts the project
    elsewhere = award_basis(book.entries, PROJECT, 5e8, COMPLETED, claimed_on=CLAIMED)
    assert elsewhere.reasons[-1].key == "ledger.award.confirmed_elsewhere" and not elsewhere.eligible
    book.confirm(first, "liuhe", day=6)
    assert award_basis(book.entries, PROJECT, 5e8, COMPLETED, claimed_on=CLAIMED).eligible
    assert award_basis(book.entries, PROJECT, 5e8, None, claimed_on=CLAIMED).reasons[-1].key == "ledger.award.not_completed"
    assert award_basis(book.entries, PROJECT, 5e8, dt.date(2025, 10, 1), claimed_on=CLAIMED).reasons[-1].key == \
        "ledger.award.not_completed"
    assert award_basis(book.entries, PROJECT, 0, COMPLETED, claimed_on=CLAIMED).reasons[-1].key == "ledger.award.no_investment"
    nobody = award_basis(book.entries, {"code": "TC-PJ-09999", "district": "liuhe"}, 5e8, COMPLETED, claimed_on=CLAIMED)
    assert nobody.reasons[0].key == "ledger.first.none" and nobody.amount == 0


def test_a_registration_made_after_completion_earns_nothing(book):
    confirmed_registration(book)
    basis = award_basis(book.entries, PROJECT, 5e8, dt.date(2024, 3, 1), claimed_on=dt.date(2024, 6, 1))
    assert basis.reasons[-1].key == "ledger.award.registered_after_completion" and basis.amount == 0


def test_changing_who_referred_needs_a_new_confirmation_but_a_merge_does_not(book):
    confirmed_registration(book)
    book.entries += merge(book.entries, "TC-PJ-00900", PROJECT["code"], now=at(25))
    merged_into = PROJECT | {"code": "TC-PJ-00900"}
    assert award_basis(book.entries, merged_into, 5e8, COMPLETED, claimed_on=CLAIMED).eligible
    head = first_registration(book.entries, "TC-PJ-00900").first.entry
    book.correct(head, day=26, registrant="张卫")
    basis = award_basis(book.entries, merged_into, 5e8, COMPLETED, claimed_on=CLAIMED)
    assert basis.reasons[-1].key == "ledger.award.not_confirmed"


def test_several_referrers_share_and_a_state_employees_award_goes_to_the_unit(book):
    shares = [Share("太仓市德国商会 王立", "partner", 0.5), Share("陈静", "individual", 0.3, True, "太仓市商务局"),
              Share("刘洋", "individual", 0.2)]
    confirmed_registration(book, "太仓市德国商会 王立", registrant_kind="partner", shares=shares)
    basis = award_basis(book.entries, PROJECT, 3.33e8, COMPLETED, claimed_on=CLAIMED)  # 30 万 + 2.33 亿 × 2‰
    assert basis.amount == 766_000.0
    assert [(s.payee, s.amount, s.paid_to_unit) for s in basis.shares] == [
        ("太仓市德国商会 王立", 383_000.0, False), ("太仓市商务局", 229_800.0, True), ("刘洋", 153_200.0, False)]
    texts = [reason_text(r, "zh") for r in basis.reasons]
    assert "陈静 为公职人员，其奖励归所在单位 太仓市商务局。" in texts and "由 3 位首报人按登记的比例分享。" in texts


def test_shares_add_up_to_the_award_to_the_fen(book):
    thirds = [Share("张伟", "individual", 1 / 3), Share("李娜", "individual", 1 / 3), Share("王芳", "individual", 1 / 3)]
    confirmed_registration(book, shares=thirds)
    basis = award_basis(book.entries, PROJECT, 12_345_678.0, COMPLETED, claimed_on=CLAIMED)
    assert basis.amount == 37_037.03
    assert sum(round(s.amount * 100) for s in basis.shares) == 3_703_703
    assert sorted(s.amount for s in basis.shares) == [12_345.67, 12_345.68, 12_345.68]


def test_a_limit_per_project_caps_the_award(book):
    confirmed_registration(book)
    basis = award_basis(book.entries, PROJECT, 20e8, COMPLETED, DEFAULT_RULES | {"max_award_cny": 2_000_000},
                        claimed_on=CLAIMED)
    assert basis.amount == 2_000_000 and "ledger.award.capped" in [r.key for r in basis.reasons]


# --- the rules are data an administrator edits ------------------------------------------------------------


def test_the_default_rules_are_valid_json_data():
    import json
    assert ledger.validate_rules(json.loads(json.dumps(DEFAULT_RULES))) == []


@pytest.mark.parametrize("edit, key", [
    ({"bands": []}, "ledger.rules.no_bands"),
    ({"bands": [{"up_to_cny": 1e9, "rate_permille": 2}, {"up_to_cny": 1e8, "rate_permille": 3},
                {"up_to_cny": None, "rate_permille": 1.5}]}, "ledger.rules.band_limit"),
    ({"bands": [{"up_to_cny": 1e8, "rate_permille": 3}]}, "ledger.rules.last_band_open"),
    ({"bands": [{"up_to_cny": None, "rate_permille": -1}]}, "ledger.rules.band_rate"),
    ({"method": "progressive"}, "ledger.rules.method"),
    ({"claim_window_months": 0}, "ledger.rules.claim_window"),
    ({"require_confirmation": "yes"}, "ledger.rules.not_a_flag"),
    ({"max_award_cny": -5}, "ledger.rules.max_award"),
    ({"rate": 3}, "ledger.rules.unknown_key"),
])
def test_edited_rules_are_checked_before_they_are_stored(edit, key):
    problems = ledger.validate_rules(DEFAULT_RULES | edit)
    assert [p.key for p in problems] == [key]
    assert reason_text(problems[0], "zh") and reason_text(problems[0], "en")


def test_invalid_rules_compute_no_award(book):
    confirmed_registration(book)
    with pytest.raises(LedgerError):
        award_basis(book.entries, PROJECT, 5e8, COMPLETED, DEFAULT_RULES | {"method": "?"}, claimed_on=CLAIMED)


# --- the office's list -----------------------------------------------------------------------------------


def test_the_award_list_names_everything_in_the_readers_language_and_leaves_no_gap(book):
    shares = [Share("liuhe", "district", 0.5), Share("陈静", "individual", 0.5, True, "太仓市商务局")]
    confirmed_registration(book, "liuhe", registrant_kind="district", shares=shares)
    projects = pd.DataFrame([PROJECT, {"code": "TC-PJ-00018", "name": "博世汽车电子项目", "district": "port"}])
    settlements = [{"project_code": "TC-PJ-00017", "actual_investment_cny": 5e8, "completed_on": COMPLETED},
                   {"project_code": "TC-PJ-00018", "actual_investment_cny": None, "completed_on": None}]
    zh = award_list(book.entries, projects, settlements, lang="zh", districts=DISTRICTS, claimed_on=CLAIMED)
    assert list(zh.columns)[:4] == ["项目编号", "项目名称", "落户区镇", "首报人"]
    assert len(zh) == 3  # two payees of the first project, one line for the one not yet eligible
    assert zh.isna().sum().sum() == 0 and not zh.astype(str).isin(["None", "nan", "NaT"]).any().any()
    first = zh.iloc[0]
    assert (first["落户区镇"], first["首报人"], first["首报人类别"], first["领取方"]) == ("浏河镇", "浏河镇", "区镇", "浏河镇")
    assert zh.iloc[1]["领取方"] == "太仓市商务局" and zh.iloc[1]["应发金额（元）"] == 550_000.0
    assert zh.iloc[0]["投资档次"] == "1.00 亿元以上至10.00 亿元" and zh.iloc[0]["承接地已确认"] == "是"
    assert zh.iloc[2]["符合条件"] == "否" and zh.iloc[2]["项目奖励合计（元）"] == 0 and zh.iloc[2]["首报人"] == "–"
    assert zh.iloc[2]["说明"] == "项目 TC-PJ-00018 尚无有效的首报登记。"
    en = award_list(book.entries, projects, settlements, lang="en", districts=DISTRICTS, claimed_on=CLAIMED)
    assert en.iloc[0]["Host district"] == "Liuhe Town" and en.iloc[0]["Size band"] == "above CNY 100.0 m up to CNY 1.00 bn"
    assert "Liuhe Town confirmed the referral" in en.iloc[0]["Why"]
