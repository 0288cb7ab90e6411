"""会商 (Leading group queue): projects whose confirmed grade is B or better and that ask for city-level fiscal
support, with the grade's explanation, the support asked and where the decision stands; the office records
the leading group's decision (approved, declined, deferred, with a note), each a new entry. Leaders see code
names only. Logic: pipeline.leading_group."""
import streamlit as st

from heatmap import ui
from heatmap.access import Action
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import grading as gr
from heatmap.pipeline import leading_group as lg
from heatmap.pipeline import workflow
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("leading.title", "leading.caption", Action.VIEW_LEADING_GROUP)
store = ui.get_store()
names = ui.district_names()
shared_rules = workflow.project_rules(store)
items = lg.queue(ui.projects(), store.grade_evaluations(), store.support_decisions())

for flash, show in (("lg_done", st.success), ("lg_conflict", st.warning)):
    if flash in st.session_state:
        show(st.session_state.pop(flash))

st.caption(ui.t("leading.count", n=len(items)))
if not items:
    st.info(ui.t("leading.empty"))
    st.stop()
st.dataframe(lg.table(items, viewer, lang, names, shared_rules), hide_index=True, width="stretch")

by_code = {item.code: item for item in items}
pick = st.selectbox(ui.t("leading.pick"), list(by_code), key="lg_pick",
                    format_func=lambda c: lg.title(by_code[c], viewer, shared_rules, lang))
item = by_code[pick]
st.subheader(ui.t("leading.explanation"))
result = lg.explanation(store, item)
st.markdown(ui.t("grading.computed", grade=result.grade, score=gr.score_text(result.score)))
st.table(ev.explanation_frame(result, lang).set_index(ui.t("grading.col.indicator")))

if ui.allowed(Action.DECIDE_SUPPORT):
    st.subheader(ui.t("leading.decide"))
    seen = st.session_state.get(f"lg_seen_{pick}", item.latest_decision_id)
    outcome = st.radio(ui.t("leading.outcome"), lg.OUTCOMES, horizontal=True, key=f"lg_outcome_{pick}",
                       format_func=lambda o: ui.t(f"leading.status.{o}"))
    note = st.text_area(ui.t("leading.note"), max_chars=lg.NOTE_MAX, key=f"lg_note_{pick}_{item.latest_decision_id}")
    if st.button(ui.t("leading.record"), type="primary", key=f"lg_record_{pick}"):
        try:
            lg.decide(store, viewer, item, outcome, note or "", seen_latest=seen)
        except Conflict:
            st.session_state["lg_conflict"] = ui.t("leading.conflict")
            st.rerun()
        except ev.GradingError as error:
            for text in ev.refusal_text(error, lang):
                st.error(text)
        else:
            st.session_state["lg_done"] = ui.t("leading.recorded", outcome=ui.t(f"leading.status.{outcome}"))
            st.rerun()
    st.session_state[f"lg_seen_{pick}"] = item.latest_decision_id
