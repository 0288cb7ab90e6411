"""One project, counted once: how the duplicate check matches projects across districts (issue 9).

Names are normalised the way Chinese districts write them; a valid unified social credit code decides; the
district is told only that a match exists elsewhere; the office sees both records and decides, as data.
"""
import dataclasses
import datetime as dt
import json

import geopandas as gpd
import pandas as pd
import pytest

from heatmap import i18n, sample
from heatmap.pipeline import duplicates as dup
from heatmap.pipeline.duplicates import (
    CREDIT_CODE_FIELD,
    DEFAULT_RULES,
    Decision,
    MatchIndex,
    apply_decision,
    check_credit_code,
    compare,
    credit_code_check_char,
    decided_pairs,
    find_all_pairs,
    find_matches,
    normalise_name,
    normalise_project_name,
    office_pair,
    visible_to_district,
)


def credit_code(body17: str) -> str:
    """A valid code: the 17 characters given (320585 is 太仓市's division code) and their check character."""
    return body17 + credit_code_check_char(body17)


HUANENG_CODE = credit_code("91320585MA1N8XKQ3")
ZHONGNENG_CODE = credit_code("91320585MA1P2HT0X")
SCHAEFFLER_CODE = credit_code("91320585608271234")


def project(code, district, investor, name, **more):
    record = {
        "code": code, "district": district, "investor": investor, "name": name, "category": "manufacturing",
        "sector": "new_materials", "investment_wan": 50000.0, "currency": "CNY", "stage": "negotiating",
        "origin_district": district, "reported_by": f"staff-{district}", "reported_on": dt.date(2026, 3, 2),
        "is_confidential": True,
    }
    return record | more


def frame(*records):
    return pd.DataFrame(list(records))


def keys(reasons):
    return [r.key for r in reasons]


# --- names as districts write them ---------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "太仓市华能新材料科技有限公司",
    "华能新材料科技（太仓）有限公司",
    "华能新材料科技(太仓)有限公司",
    "华能新材料科技【太仓】有限公司",
    "太仓华能新材料科技股份有限公司",
    "華能新材料科技（太倉）有限公司",  # traditional characters
    "江苏太仓华能新材料科技有限公司",
    "华能新材料科技有限公司太仓分公司",
    " 华能 新材料 科技（太仓）有限公司 ",
])
def test_the_place_before_or_in_brackets_and_the_legal_form_leave_the_same_name(written):
    key = normalise_name(written)
    assert key.core == "华能新材料科技"
    assert key.trade == "华能"  # 新材料, 科技 are business words, not the trade name (字号)
    assert "太仓" in key.places


def test_a_name_without_a_place_is_a_variant_of_one_with_it():
    assert normalise_name("华能新材料科技有限公司").core == normalise_name("太仓市华能新材料科技有限公司").core
    assert normalise_name("华能新材料科技有限公司").places == frozenset()


@pytest.mark.parametrize("written, core", [
    ("Schaeffler (China) Co., Ltd.", "schaeffler"),
    ("ＳＣＨＡＥＦＦＬＥＲ（ＣＨＩＮＡ）ＣＯ．，ＬＴＤ．", "schaeffler"),  # full-width, as Chinese input methods type it
    ("SCHAEFFLER (CHINA) CO. LTD", "schaeffler"),
    ("Schaeffler Holding (China) Co., Ltd.", "schaeffler"),
    ("舍弗勒（中国）有限公司", "舍弗勒"),
    ("舍弗勒中国有限公司", "舍弗勒"),
    ("Rhein Präzisionstechnik GmbH & Co. KG", "rhein praezisionstechnik"),
    ("Rhein Praezisionstechnik GmbH", "rhein praezisionstechnik"),
    ("Bodensee Hydraulik AG", "bodensee hydraulik"),
    ("Elbe Sensorik SE", "elbe sensorik"),
    ("Loire Matériaux S.A.", "loire materiaux"),
    ("Great Lakes Controls Inc.", "great lakes controls"),
    ("Kansai Seiki K.K.", "kansai seiki"),
    ("Huaneng New Materials (Taicang) Co., Ltd.", "huaneng new materials"),
    ("中国华能集团有限公司", "华能"),
])
def test_legal_forms_countries_and_case_in_chinese_english_german(written, core):
    assert normalise_name(written).core == core


def test_a_name_that_is_only_a_legal_form_is_kept_as_written():
    assert normalise_name("有限公司").core == "有限公司"
    assert normalise_name(None) == normalise_name("  ") == dup.NameKey("", "", frozenset(), dup.NONE)


def test_places_can_be_kept_in_the_name_by_the_rules():
    kept = normalise_name("太仓市华能新材料科技有限公司", DEFAULT_RULES | {"strip_places": False})
    assert kept.core == "太仓市华能新材料科技" and kept.places == frozenset()


def test_project_names_lose_legal_forms_and_the_word_project():
    assert normalise_project_name("太仓市华能新材料科技有限公司年产2万吨碳纤维制品项目") == "太仓市华能新材料科技年产2万吨碳纤维制品"
    assert normalise_project_name("Rhein Präzisionstechnik GmbH 数控机床项目") == "rhein praezisionstechnik数控机床"
    assert normalise_project_name("Huaneng Carbon Fibre Project") == "huaneng carbon fibre"


# --- the unified social credit code (GB 32100-2015) ----------------------------------------------

@pytest.mark.parametrize("code", ["914403001922038216", "9144030071526726XG", "91110000802100433B", "91350100M000100Y43"])
def test_real_credit_codes_pass_the_check_character(code):
    checked = check_credit_code(code)
    assert checked.valid and checked.value == code and checked.reason.key == "duplicates.credit_code.valid"


def test_credit_codes_are_normalised_before_the_check():
    assert check_credit_code("９１４４０３００７１５２６７２６ＸＧ").value == "9144030071526726XG"  # full-width
    assert check_credit_code("9144 0300 7152 6726 xg").valid
    assert check_credit_code("91440300-71526726XG").valid


@pytest.mark.parametrize("written, key, params", [
    ("9144030071526726XH", "duplicates.credit_code.check_char", {"expected": "G", "found": "H"}),
    ("914403001922O38216", "duplicates.credit_code.bad_char", {"char": "O", "position": 13}),  # O typed for 0
    ("91440300192203821", "duplicates.credit_code.length", {"length": 17}),
    (None, "duplicates.credit_code.missing", {}),
])
def test_a_bad_credit_code_says_what_is_wrong(written, key, params):
    checked = check_credit_code(written)
    assert not checked.valid and checked.reason.key == key
    assert params.items() <= dict(checked.reason.params).items()
    for lang in ("zh", "en"):
        assert "{" not in i18n.t(key, lang, **dict(checked.reason.params))


# --- matching ----------------------------------------------------------------------------------

HUANENG_TAICANG = project("TC-PJ-00101", "port", "华能新材料科技（太仓）有限公司", "华能新材料年产2万吨碳纤维制品项目")


def test_the_place_in_brackets_matches_the_place_in_front_in_another_district():
    candidate = project("TC-PJ-00900", "hitech", "太仓市华能新材料科技有限公司", "碳纤维复合材料生产基地")
    [match] = find_matches(candidate, frame(HUANENG_TAICANG))
    assert (match.code, match.district, match.score) == ("TC-PJ-00101", "port", 100.0)
    assert keys(match.reasons) == ["duplicates.reason.investor_similar", "duplicates.reason.sector_amount_close"]
    assert match.reasons[0].params == {"score": 100.0}


def test_full_width_letters_match_half_width_ones():
    stored = project("TC-PJ-00102", "hitech", "Schaeffler (China) Co., Ltd.", "精密轴承扩产项目", sector="precision_machinery")
    candidate = project("TC-PJ-00901", "port", "ＳＣＨＡＥＦＦＬＥＲ（ＣＨＩＮＡ）ＣＯ．，ＬＴＤ．", "新能源汽车电驱系统项目")
    [match] = find_matches(candidate, frame(stored))
    assert match.code == "TC-PJ-00102" and match.score == 100.0


def test_an_english_name_is_not_matched_to_a_chinese_one_by_name():
    """Huaneng New Materials Co., Ltd. and 太仓市华能新材料科技有限公司 share no character: the names are not
    compared at all; only a credit code or the project's name can join them."""
    candidate = project("TC-PJ-00902", "liuhe", "Huaneng New Materials Co., Ltd.", "Carbon fibre plant")
    assert find_matches(candidate, frame(HUANENG_TAICANG)) == []
    verdict = compare(candidate, HUANENG_TAICANG)
    assert not verdict.raised
    assert "duplicates.reason.scripts_differ" in keys(verdict.reasons)


def test_an_english_name_is_matched_through_the_same_project_name():
    candidate = project("TC-PJ-00903", "liuhe", "Huaneng New Materials Co., Ltd.", "华能新材料年产2万吨碳纤维制品项目")
    [match] = find_matches(candidate, frame(HUANENG_TAICANG))
    assert match.code == "TC-PJ-00101"
    assert keys(match.reasons) == ["duplicates.reason.project_similar", "duplicates.reason.scripts_differ",
                                   "duplicates.reason.sector_amount_close"]


def test_an_english_name_is_matched_through_the_credit_code():
    stored = HUANENG_TAICANG | {CREDIT_CODE_FIELD: HUANENG_CODE}
    candidate = project("TC-PJ-00904", "liuhe", "Huaneng New Materials Co., Ltd.", "Carbon fibre plant",
                        **{CREDIT_CODE_FIELD: HUANENG_CODE.lower()})
    [match] = find_matches(candidate, frame(stored))
    assert match.score == 100.0 and keys(match.reasons)[0] == "duplicates.reason.credit_code_equal"


def test_schaeffler_in_chinese_and_in_english_only_through_the_credit_code():
    chinese = project("TC-PJ-00105", "hitech", "舍弗勒（中国）有限公司", "舍弗勒精密轴承扩产项目", sector="precision_machinery")
    english = project("TC-PJ-00905", "port", "Schaeffler (China) Co., Ltd.", "Bearing plant extension", sector="precision_machinery")
    assert find_matches(english, frame(chinese)) == []
    with_codes = find_matches(english | {CREDIT_CODE_FIELD: SCHAEFFLER_CODE}, frame(chinese | {CREDIT_CODE_FIELD: SCHAEFFLER_CODE}))
    assert [m.code for m in with_codes] == ["TC-PJ-00105"]


def test_two_different_valid_credit_codes_are_never_the_same_investor():
    stored = HUANENG_TAICANG | {CREDIT_CODE_FIELD: HUANENG_CODE}
    candidate = HUANENG_TAICANG | {"code": "TC-PJ-00906", "district": "hitech", CREDIT_CODE_FIELD: ZHONGNENG_CODE}
    assert find_matches(candidate, frame(stored)) == []  # identical names, identical project: still not raised
    assert "duplicates.reason.credit_code_differs" in keys(compare(candidate, stored).reasons)


def test_a_mistyped_credit_code_is_not_evidence_either_way():
    wrong = HUANENG_CODE[:-1] + ("0" if HUANENG_CODE[-1] != "0" else "1")
    assert not check_credit_code(wrong).valid
    stored = HUANENG_TAICANG | {CREDIT_CODE_FIELD: HUANENG_CODE}
    candidate = project("TC-PJ-00907", "hitech", "太仓市华能新材料科技有限公司", "碳纤维项目", **{CREDIT_CODE_FIELD: wrong})
    [match] = find_matches(candidate, frame(stored))  # the names decide
    assert "duplicates.reason.credit_code_equal" not in keys(match.reasons)


def test_similar_names_with_a_different_trade_name_are_different_companies():
    """华能 and 中能 new-materials companies share six of seven characters, but not their trade name."""
    candidate = project("TC-PJ-00908", "hitech", "中能新材料科技有限公司", "高性能复合材料项目")
    assert find_matches(candidate, frame(HUANENG_TAICANG)) == []
    verdict = compare(candidate, HUANENG_TAICANG)
    assert not verdict.raised and verdict.score < DEFAULT_RULES["threshold"]


def test_the_same_trade_name_in_two_different_cities_is_not_raised_by_names_and_sector():
    suzhou = project("TC-PJ-00110", "port", "苏州精工科技有限公司", "苏州精工科技数控机床项目", sector="precision_machinery")
    shanghai = project("TC-PJ-00910", "hitech", "上海精工科技有限公司", "精密传动部件项目", sector="precision_machinery",
                       investment_wan=52000.0)
    assert find_matches(shanghai, frame(suzhou)) == []
    verdict = compare(shanghai, suzhou)
    assert {"duplicates.reason.place_differs", "duplicates.reason.sector_amount_close"} <= set(keys(verdict.reasons))


def test_latin_names_are_compared_word_by_word_and_forgive_a_typo():
    hartmann = project("TC-PJ-00113", "port", "Mid-Atlantic Hartmann Aerostructures Corp.", "民机内饰项目", sector="aerospace")
    hoffmann = project("TC-PJ-00914", "hitech", "Mid-Atlantic Hoffmann Aerostructures Inc.", "航空发动机零部件项目", sector="aerospace")
    assert find_matches(hoffmann, frame(hartmann)) == []  # 92 % of the characters alike, one word different
    weber = project("TC-PJ-00116", "port", "Weber Elbe Maschinenbau GmbH", "数控机床扩产项目", sector="precision_machinery")
    weser = project("TC-PJ-00917", "hitech", "Weser Elbe Maschinenbau SE", "精密传动部件项目", sector="precision_machinery")
    assert find_matches(weser, frame(weber)) == []  # one letter, but a different name
    typo = project("TC-PJ-00915", "hitech", "Schaefler (China) Co., Ltd.", "汽车安全系统项目", sector="auto_parts")
    stored = project("TC-PJ-00114", "port", "Schaeffler (China) Co., Ltd.", "精密轴承项目", sector="precision_machinery")
    [match] = find_matches(typo, frame(stored))
    assert match.code == "TC-PJ-00114" and 90 <= match.score < 100


def test_a_project_name_joins_investors_only_where_their_names_cannot_be_compared():
    name = "年产500台五轴联动数控机床项目"
    stored = project("TC-PJ-00111", "port", "江苏恒力精密机械有限公司", name, sector="precision_machinery")
    german = project("TC-PJ-00911", "shaxi", "Neckar Werkzeugbau GmbH", name, sector="precision_machinery")
    chinese = project("TC-PJ-00912", "shaxi", "苏州航宇智造有限公司", name, sector="precision_machinery")
    unnamed = project("TC-PJ-00913", "shaxi", None, name, sector="precision_machinery")
    # a German and a Chinese name, or no name: not comparable, so the same specific project name raises the pair
    assert [m.code for m in find_matches(german, frame(stored))] == ["TC-PJ-00111"]
    assert [m.code for m in find_matches(unnamed, frame(stored))] == ["TC-PJ-00111"]
    # two Chinese investors with clearly different names: the same project name does not
    assert find_matches(chinese, frame(stored)) == []
    assert "duplicates.reason.investor_differs" in keys(compare(chinese, stored).reasons)
    # a short generic project name is not compared at all
    generic = stored | {"name": "数控机床项目"}
    assert find_matches(german | {"name": "数控机床项目"}, frame(generic)) == []


def test_two_similar_chinese_names_with_the_same_project_are_still_two_investors():
    """Project names often begin with the investor's name: 浙江大安数据科技 and 浙江大远数据科技 with the same
    product have project names 94 % alike; the investors' names decide."""
    a = project("TC-PJ-00115", "port", "浙江大安数据科技集团有限公司", "浙江大安数据科技集团有限公司工业软件研发中心项目")
    b = project("TC-PJ-00916", "hitech", "浙江大远数据科技集团有限公司", "浙江大远数据科技集团有限公司工业软件研发中心项目")
    assert find_matches(b, frame(a)) == []


def test_same_sector_and_amount_support_a_match_but_never_make_one():
    stored = project("TC-PJ-00112", "port", "Alpen Hydraulik GmbH", "液压系统项目")
    candidate = project("TC-PJ-00913", "hitech", "Moselle Logistik AG", "冷链物流中心")  # same sector, same amount
    verdict = compare(candidate, stored)
    assert not verdict.raised and "duplicates.reason.sector_amount_close" in keys(verdict.reasons)


def test_an_investor_with_two_projects_in_one_district_is_not_raised():
    """Decided: pairs inside one district are not raised (phase II, a second plant are common; the district
    sees both; the seed's rule concerns several districts). A rule switches it on."""
    phase_one = project("TC-PJ-00120", "hitech", "Schaeffler (China) Co., Ltd.", "精密轴承一期项目")
    phase_two = project("TC-PJ-00920", "hitech", "Schaeffler (China) Co., Ltd.", "新能源汽车电驱系统二期项目")
    assert find_matches(phase_two, frame(phase_one)) == []
    assert "duplicates.reason.same_district" in keys(compare(phase_two, phase_one).reasons)
    within = DEFAULT_RULES | {"within_district": True}
    assert [m.code for m in find_matches(phase_two, frame(phase_one), within)] == ["TC-PJ-00120"]


def test_a_record_is_never_its_own_match():
    edited = HUANENG_TAICANG | {"investment_wan": 60000.0}
    assert find_matches(edited, frame(HUANENG_TAICANG), DEFAULT_RULES | {"within_district": True}) == []


def test_a_decided_pair_is_not_raised_again():
    candidate = project("TC-PJ-00921", "hitech", "太仓市华能新材料科技有限公司", "碳纤维项目")
    stored = frame(HUANENG_TAICANG, project("TC-PJ-00130", "liuhe", "华能新材料科技有限公司", "碳纤维制品项目"))
    assert {m.code for m in find_matches(candidate, stored)} == {"TC-PJ-00101", "TC-PJ-00130"}
    decided = {frozenset({"TC-PJ-00921", "TC-PJ-00101"})}
    assert [m.code for m in find_matches(candidate, stored, decided=decided)] == ["TC-PJ-00130"]
    assert "duplicates.reason.decided" in keys(compare(candidate, HUANENG_TAICANG, decided=decided).reasons)


def test_matches_come_best_first_above_the_threshold_and_at_most_max_matches():
    candidate = project("TC-PJ-00922", "hitech", "太仓市华能新材料科技有限公司", "碳纤维项目", sector="aerospace")
    stored = frame(
        project("TC-PJ-00140", "port", "华能新材料有限公司", "复材项目", sector="aerospace"),  # close, not equal
        project("TC-PJ-00141", "liuhe", "华能新材料科技（太仓）有限公司", "复材项目", sector="aerospace"),  # equal
        project("TC-PJ-00142", "shaxi", "华能新材料科技有限公司", "复材项目", sector="biomedicine", investment_wan=900.0),
        project("TC-PJ-00143", "fuqiao", "恒瑞医药有限公司", "创新药物项目"),
    )
    matches = find_matches(candidate, stored)
    assert [m.code for m in matches] == ["TC-PJ-00141", "TC-PJ-00142", "TC-PJ-00140"]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(m.score >= DEFAULT_RULES["threshold"] for m in matches)
    assert [m.code for m in find_matches(candidate, stored, DEFAULT_RULES | {"max_matches": 1})] == ["TC-PJ-00141"]
    assert [m.code for m in find_matches(candidate, stored, DEFAULT_RULES | {"threshold": 99})] == ["TC-PJ-00141", "TC-PJ-00142"]


def test_the_stored_side_is_prepared_once_and_reused():
    projects = gpd.GeoDataFrame(sample.generate(40, 200, history=False).projects, geometry="geometry", crs="EPSG:4326")
    index = MatchIndex.build(projects)
    probe = dict(projects.iloc[7]) | {"code": "TC-PJ-09999", "district": "resort"}
    assert [m.code for m in find_matches(probe, index)] == [m.code for m in find_matches(probe, projects)]
    assert projects.iloc[7]["code"] in {m.code for m in find_matches(probe, index)}
    with pytest.raises(ValueError):
        find_matches(probe, index, DEFAULT_RULES | {"strip_places": False})  # prepared with other normalisation
    assert len(find_matches(probe, index, DEFAULT_RULES | {"threshold": 60})) >= len(find_matches(probe, index))


def test_every_reason_renders_in_both_languages():
    candidate = project("TC-PJ-00923", "liuhe", "Huaneng New Materials Co., Ltd.", "华能新材料年产2万吨碳纤维制品项目")
    reasons = find_matches(candidate, frame(HUANENG_TAICANG))[0].reasons
    reasons += compare(project("X", "port", "苏州华能新材料有限公司", "碳纤维项目"), project("Y", "port", "上海华能新材料有限公司", "碳纤维项目")).reasons
    for reason in reasons:
        for lang in ("zh", "en"):
            text = i18n.t(reason.key, lang, **dict(reason.params))
            assert text != reason.key and "{" not in text and "None" not in text


# --- what the district and the office see --------------------------------------------------------

def test_the_district_is_told_only_that_a_match_exists_elsewhere():
    secret = HUANENG_TAICANG | {CREDIT_CODE_FIELD: HUANENG_CODE, "investment_wan": 73210.0}
    candidate = project("TC-PJ-00930", "hitech", "太仓市华能新材料科技有限公司", "碳纤维项目", **{CREDIT_CODE_FIELD: HUANENG_CODE})
    matches = find_matches(candidate, frame(secret))
    notice = visible_to_district(matches, "hitech")
    assert {f.name for f in dataclasses.fields(notice)} == {"district", "matches_elsewhere", "own_matches", "reason"}
    assert (notice.district, notice.matches_elsewhere, notice.own_matches) == ("hitech", 1, ())
    assert notice.reason.key == "duplicates.notice.elsewhere" and dict(notice.reason.params) == {"count": 1}
    shown = repr(notice) + i18n.t(notice.reason.key, "zh", **notice.reason.params) + i18n.t(notice.reason.key, "en", **notice.reason.params)
    for leak in ("TC-PJ-00101", "port", "华能新材料科技（太仓）", "华能新材料年产", "73210", "73,210", HUANENG_CODE):
        assert leak not in shown


def test_the_district_sees_its_own_records_and_a_quiet_notice_without_matches():
    own = [dup.Match("TC-PJ-00940", "hitech", 92.0, ())]
    notice = visible_to_district(own, "hitech")
    assert notice.matches_elsewhere == 0 and notice.own_matches == ("TC-PJ-00940",)
    assert notice.reason.key == "duplicates.notice.none"


def test_the_office_sees_both_records():
    candidate = project("TC-PJ-00950", "hitech", "太仓市华能新材料科技有限公司", "碳纤维项目")
    stored = frame(HUANENG_TAICANG)
    [match] = find_matches(candidate, stored)
    both = office_pair(match, stored, candidate)
    assert both.left["investor"] == "太仓市华能新材料科技有限公司" and both.right["investor"] == "华能新材料科技（太仓）有限公司"
    assert both.right["investment_wan"] == 50000.0 and both.reasons == match.reasons
    [pair] = find_all_pairs(frame(HUANENG_TAICANG, candidate))
    queued = office_pair(pair, frame(HUANENG_TAICANG, candidate))
    assert {queued.left["code"], queued.right["code"]} == {"TC-PJ-00101", "TC-PJ-00950"}


# --- the office's queue -------------------------------------------------------------------------

def test_the_queue_holds_each_pair_across_districts_once_without_decided_ones():
    records = frame(
        HUANENG_TAICANG,
        project("TC-PJ-00201", "hitech", "太仓市华能新材料科技有限公司", "碳纤维项目"),
        project("TC-PJ-00202", "hitech", "華能新材料科技有限公司", "碳纤维二期项目"),  # same district as 00201
        project("TC-PJ-00203", "liuhe", "中能新材料科技有限公司", "碳纤维项目"),  # another company
        project("TC-PJ-00204", "shaxi", "Huaneng New Materials Co., Ltd.", "Carbon fibre plant"),  # not comparable
    )
    pairs = find_all_pairs(records)
    assert sorted(p.codes for p in pairs) == [("TC-PJ-00101", "TC-PJ-00201"), ("TC-PJ-00101", "TC-PJ-00202")]
    assert all(p.districts[0] != p.districts[1] for p in pairs)
    decided = {frozenset({"TC-PJ-00201", "TC-PJ-00101"})}
    assert [p.codes for p in find_all_pairs(records, decided=decided)] == [("TC-PJ-00101", "TC-PJ-00202")]


def test_the_queue_finds_what_matching_each_record_finds():
    """Blocking loses nothing here: the queue equals matching every record against all the others."""
    projects = pd.DataFrame(sample.generate(40, 400, history=False).projects)
    variants = projects.iloc[:30].copy()  # the same projects as another district writes them
    variants["code"] = [f"TC-PJ-8{n:04d}" for n in range(30)]
    variants["district"] = ["resort" if d != "resort" else "ludu" for d in variants["district"]]
    variants["investor"] = [f"{name.upper()}（太仓）" if name.isascii() else f"太仓市{name}" for name in variants["investor"]]
    records = pd.concat([projects, variants], ignore_index=True)
    index = MatchIndex.build(records)
    queue = {p.pair: p.score for p in find_all_pairs(index)}
    brute = {}
    for record in records.to_dict("records"):
        for m in find_matches(record, index, DEFAULT_RULES | {"max_matches": 1000}):
            brute[frozenset({record["code"], m.code})] = m.score
    assert queue == brute
    assert all(frozenset({a, b}) in queue for a, b in zip(projects["code"][:30], variants["code"]))


# --- decisions -------------------------------------------------------------------------------

PORT = project("TC-PJ-00301", "port", "华能新材料科技（太仓）有限公司", "碳纤维项目", reported_on=dt.date(2026, 2, 10),
               reported_by="staff-port")
HITECH = project("TC-PJ-00302", "hitech", "太仓市华能新材料科技有限公司", "碳纤维项目", reported_on=dt.date(2026, 4, 1),
                 reported_by="staff-hitech")
RECORDS = {r["code"]: r for r in (PORT, HITECH)}
AT = dt.datetime(2026, 5, 6, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_same_project_one_district_hosts_the_other_keeps_first_contact_credit():
    decision = Decision(frozenset({"TC-PJ-00301", "TC-PJ-00302"}), "same", hosting_district="hitech",
                        first_contact_district="port", decided_by="office-wang", decided_at=AT, note="客商确认落户高新区")
    effect = apply_decision(decision, RECORDS)
    assert effect.ok and (effect.keep, effect.retire) == ("TC-PJ-00302", "TC-PJ-00301")
    # hitech hosts; port made first contact and registered first (信息首报: the earlier registration wins)
    assert effect.changes == {"TC-PJ-00302": {"origin_district": "port", "reported_by": "staff-port",
                                              "reported_on": dt.date(2026, 2, 10)}}
    assert keys(effect.reasons) == ["duplicates.decision.same", "duplicates.decision.first_contact",
                                    "duplicates.decision.earlier_registration"]
    assert RECORDS["TC-PJ-00302"]["origin_district"] == "hitech"  # pure: the records are not touched


def test_same_project_without_a_first_contact_district_credits_the_earlier_registration():
    decision = Decision(frozenset({"TC-PJ-00301", "TC-PJ-00302"}), "same", "port", None, "office-wang", AT)
    effect = apply_decision(decision, RECORDS)
    assert (effect.keep, effect.retire) == ("TC-PJ-00301", "TC-PJ-00302")
    assert effect.changes == {}  # port hosts, made first contact and registered first: nothing to change


def test_different_projects_change_nothing_and_are_not_raised_again():
    decision = Decision(frozenset({"TC-PJ-00301", "TC-PJ-00302"}), "different", None, None, "office-wang", AT, "两个不同的投资主体")
    effect = apply_decision(decision, RECORDS)
    assert effect.ok and effect.keep is None and effect.changes == {}
    assert keys(effect.reasons) == ["duplicates.decision.different"]
    assert find_matches(HITECH, frame(PORT), decided=decided_pairs([decision])) == []


@pytest.mark.parametrize("change, key", [
    ({"hosting_district": "liuhe"}, "duplicates.decision.hosting_not_in_pair"),
    ({"first_contact_district": "shaxi"}, "duplicates.decision.first_contact_not_in_pair"),
    ({"outcome": "merge"}, "duplicates.decision.bad_outcome"),
    ({"pair": frozenset({"TC-PJ-00301", "TC-PJ-09999"})}, "duplicates.decision.unknown_record"),
    ({"pair": frozenset({"TC-PJ-00301"})}, "duplicates.decision.not_a_pair"),
    ({"decided_by": " "}, "duplicates.decision.no_decider"),
])
def test_a_decision_that_does_not_fit_its_pair_changes_nothing_and_says_why(change, key):
    decision = dataclasses.replace(Decision(frozenset({"TC-PJ-00301", "TC-PJ-00302"}), "same", "hitech", "port", "office-wang", AT), **change)
    effect = apply_decision(decision, RECORDS)
    assert not effect.ok and effect.changes == {} and effect.keep is None
    assert keys(effect.problems) == [key]
    for lang in ("zh", "en"):
        assert "{" not in i18n.t(key, lang, **dict(effect.problems[0].params))


def test_a_decision_is_plain_data():
    decision = Decision(frozenset({"TC-PJ-00301", "TC-PJ-00302"}), "same", "hitech", "port", "office-wang", AT, "备注")
    stored = json.loads(json.dumps(decision.to_record(), ensure_ascii=False))
    assert stored["pair"] == ["TC-PJ-00301", "TC-PJ-00302"]
    assert Decision.from_record(stored) == decision


# --- the rules are data ---------------------------------------------------------------------

def test_the_default_rules_are_json_and_valid():
    assert json.loads(json.dumps(DEFAULT_RULES, ensure_ascii=False)) == DEFAULT_RULES
    assert dup.validate_rules(DEFAULT_RULES) == []


def test_edited_rules_are_checked_before_they_are_stored():
    edited = {k: v for k, v in DEFAULT_RULES.items() if k != "places"} | {
        "threshold": 120, "within_district": "yes", "legal_forms": ["有限公司", ""], "speed": 3}
    problems = dup.validate_rules(edited, "en")
    assert problems == [
        "Unknown matching rule 'speed'",
        "Matching rule 'threshold' is 120; it must be between 1 and 100",
        "Matching rule 'within_district' must be yes or no, it is 'yes'",
        "Matching rule 'places' is missing",
        "Matching rule 'legal_forms' must be a list of non-empty words",
    ]
    assert dup.validate_rules(edited, "zh")[0] == "未知的查重规则项“speed”"
    with pytest.raises(ValueError):
        MatchIndex.build(frame(HUANENG_TAICANG), edited)
