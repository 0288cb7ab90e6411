"""District scoreboard (区镇考核, seed 三(一)): the districts ranked for a reporting period by the points their
figures earn (pipeline.scoreboard, from the data, never typed in), a chart, the change against the previous
period, the figures and points behind each rank, an Excel download and a one-page PDF for the leading
group's meeting. Leaders, the office, administrators and district staff (reports readers): the scoreboard
holds figures per district only, no project of any district."""
import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from heatmap import export, i18n, ui
from heatmap.access import Action
from heatmap.pipeline import scoreboard as sb
from heatmap.pipeline import scoreboard_pdf

lang = ui.lang()
viewer = ui.confidential_page("scoreboard.title", "scoreboard.caption", Action.VIEW_REPORTS)
names = ui.district_names()
wide_district = {ui.t("scoreboard.col.district"): st.column_config.TextColumn(width="medium")}  # names are long

periods = {p.key: p for p in ui.reported_periods()} or {ui.period_now_due().key: ui.period_now_due()}
key = st.selectbox(ui.t("scoreboard.period"), list(periods), format_func=lambda k: periods[k].label(lang), key="sb_period")
period = periods[key]
previous = period.shifted(-1)
board = ui.scoreboard_board(period.key)
before = ui.scoreboard_board(previous.key)
version = ui.scoreboard_rules_version()
st.caption((ui.t("scoreboard.rules_version", version=version) if version else ui.t("scoreboard.rules_default"))
           + " · " + ui.t("scoreboard.previous", period=previous.label(lang)))
if viewer.district:
    ranks = board.value("rank")
    if viewer.district in ranks:
        st.info(ui.t("scoreboard.own_district", district=names.get(viewer.district, viewer.district), rank=int(ranks[viewer.district])))

st.subheader(ui.t("scoreboard.ranking"))
st.dataframe(sb.labelled(sb.ranking(board, before), lang, names), hide_index=True, width="stretch", column_config=wide_district)

st.subheader(ui.t("scoreboard.chart"))
items = ["total", *(c for c in sb.POINT_COLUMNS if c != "total")]
item = st.selectbox(ui.t("scoreboard.chart_item"), items, format_func=lambda c: ui.t(f"scoreboard.item.{c}"), key="sb_item")
values = board.value(item)
chart_data = pd.DataFrame({"district": [names.get(d, d) for d in values.index], "value": values.to_numpy()})
chart = alt.Chart(chart_data).mark_bar().encode(
    x=alt.X("value:Q", title=ui.t(f"scoreboard.item.{item}")),
    y=alt.Y("district:N", sort="-x", title=ui.t("scoreboard.col.district")),
    tooltip=[alt.Tooltip("district:N", title=ui.t("scoreboard.col.district")),
             alt.Tooltip("value:Q", title=ui.t(f"scoreboard.item.{item}"), format=",.2f")],
)
st.altair_chart(chart, width="stretch")

figures_tab, points_tab = st.tabs([ui.t("scoreboard.figures"), ui.t("scoreboard.points")])
with figures_tab:
    st.dataframe(sb.labelled(board.figures, lang, names), hide_index=True, width="stretch", column_config=wide_district)
with points_tab:
    st.dataframe(sb.labelled(board.points[["rank", "district", *sb.POINT_COLUMNS]], lang, names, True), hide_index=True, width="stretch",
                 column_config=wide_district)

made_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)


def excel_file() -> bytes:
    about = pd.DataFrame([
        (ui.t("scoreboard.about.period"), period.label(lang)),
        (ui.t("scoreboard.about.rules"), str(version) if version else ui.t("scoreboard.about.default")),
        (ui.t("scoreboard.about.made"), i18n.fmt_datetime(made_at, lang)),
    ] + ([(ui.t("export.about_sample"), "")] if ui.is_sample() else []), columns=["", " "])
    return export.to_excel(sb.tables(board, before, lang, names) | {ui.t("scoreboard.sheet.about"): about})


def pdf_file() -> bytes:
    return scoreboard_pdf.summary_pdf(board, before, lang, names, rules_version=version, made_at=made_at, sample=ui.is_sample())


left, right, _ = st.columns([1, 2, 3])
ui.download(ui.t("scoreboard.download_excel"), excel_file, file_name=f"taicang-scoreboard-{period.key}.xlsx", where=left,
            permission=Action.VIEW_REPORTS,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", detail={"period": period.key})
ui.download(ui.t("scoreboard.download_pdf"), pdf_file, file_name=f"taicang-scoreboard-{period.key}.pdf", where=right,
            permission=Action.VIEW_REPORTS, mime="application/pdf", detail={"period": period.key})
