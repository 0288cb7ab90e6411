"""The scoreboard page under AppTest on the sample, and its one-page PDF read back with pypdf: the districts
ranked for the latest reported period in either language, a staffer told their own rank, the public
refused; the PDF is one page and holds the period and every district's name."""
import datetime as dt
import io

import pypdf
import pytest

from heatmap import i18n
from heatmap.access import Role, Viewer
from heatmap.pipeline import reports as rp
from heatmap.pipeline import scoreboard_inputs, scoreboard_pdf
from heatmap.store import Store

from conftest import page_text, run_app

LEADER = Viewer("leader", Role.LEADER)
PAGE = "pages/scoreboard.py"


@pytest.mark.parametrize("lang, texts", [
    ("zh", ("区镇考核", "排名", "总分对比", "上一周期：", "下载 Excel", "下载会议用一页简报（PDF）")),
    ("en", ("District scoreboard", "Ranking", "Total points compared", "Previous period: ", "Download Excel",
            "Download the one-page summary (PDF)")),
])
def test_a_leader_sees_the_ranking_in_the_language(app_data, lang, texts):
    at = run_app(lang, LEADER, PAGE)
    text = page_text(at)
    for expected in texts:
        assert expected in text, expected
    ranking = at.dataframe[0].value
    assert len(ranking) == 12 and list(ranking.iloc[:, 0]) == sorted(ranking.iloc[:, 0])  # ranks, best first
    assert not ranking.isna().any().any()


def test_a_staffer_is_told_their_own_rank_and_the_public_is_refused(app_data):
    at = run_app("en", Viewer("staff-liuhe", Role.STAFF, "liuhe"), PAGE)
    assert "Your district: Liuhe Town, rank" in page_text(at)
    at = run_app("en", None, PAGE)
    assert "Project information is confidential" in page_text(at) and not at.dataframe


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    from heatmap import bootstrap

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('sb') / 'sample.sqlite'}")
    store.create_schema()
    bootstrap.load_sample(store, 300, 80, accounts=False)
    return store


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_is_one_page_with_the_period_and_every_district(sample_store, lang):
    districts = sample_store.districts()
    names = {rec["code"]: i18n.district_name(rec, lang) for rec in districts.to_dict("records")}
    period = rp.period_from_key("2026-5")
    now = scoreboard_inputs.board(sample_store, period, list(names), dt.date(2026, 11, 20))
    before = scoreboard_inputs.board(sample_store, period.shifted(-1), list(names), dt.date(2026, 11, 20))
    data = scoreboard_pdf.summary_pdf(now, before, lang, names, rules_version=None, made_at=dt.datetime(2026, 11, 20, 3))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert period.label(lang) in text
    flat = text.replace("\n", " ")
    for name in names.values():
        assert name in flat or name.replace(" ", "") in flat.replace(" ", ""), name
    assert ("考核周期" in text) == (lang == "zh")
