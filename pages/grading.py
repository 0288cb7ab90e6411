"""项目评价 (Grading): pick a project, enter its indicator values, see the grade the standard computes with its
explanation, save the values or propose the grade (the staff of the project's district); the office's queue
of proposed grades to confirm or return with a reason. Confidential. Logic: pipeline.grading / evaluations."""
import streamlit as st

from heatmap import i18n, ui
from heatmap.access import Action
from heatmap.model import is_missing
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import grading as gr
from heatmap.pipeline import leading_group as lg
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("grading.title", "grading.caption", Action.EDIT_PROJECTS)
store = ui.get_store()
names = ui.district_names()
version, rules = ev.standards(store)
projects = ui.projects()
evaluations = store.grade_evaluations()
states = ev.states(evaluations)

for flash, show in (("gr_done", st.success), ("gr_conflict", st.warning)):
    if flash in st.session_state:
        show(st.session_state.pop(flash))


def explain(result):
    st.markdown(ui.t("grading.computed", grade=gr.grade_text(result, lang), score=gr.score_text(result.score)))
    st.caption(gr.verdict_text(result, lang))
    st.table(ev.explanation_frame(result, lang).set_index(ui.t("grading.col.indicator")))


def act(write, done_text, conflict_text):
    """Run a write; a refusal or a conflict is shown, never a traceback."""
    try:
        write()
    except Conflict:
        st.session_state["gr_conflict"] = conflict_text
        st.rerun()
    except ev.GradingError as error:
        for text in ev.refusal_text(error, lang):
            st.error(text)
    else:
        st.session_state["gr_done"] = done_text
        st.rerun()


def inputs_form(code, project, state):
    """The indicator values of a project (those last saved, to start with); returns standard and inputs."""
    last = ev.inputs_of(state.values) if state.values is not None else {"values": {}, "vetoes": [], "documents": []}
    start = state.values["standard"] if state.values is not None else gr.standard_of(rules, project.get("category"))
    keys = list(rules["standards"])
    standard = st.selectbox(ui.t("grading.standard"), keys, index=keys.index(start) if start in keys else 0,
                            format_func=lambda k: gr.category_label(k, lang, rules), key=f"gr_std_{code}_{state.latest_id}")
    spec = rules["standards"][standard]
    prefix = f"gr_{code}_{standard}_{state.latest_id}"
    values = {}
    columns = st.columns(2)
    for i, item in enumerate(spec["indicators"]):
        name = item["indicator"]
        with columns[i % 2]:
            if name in gr.CHOICE_INDICATORS:
                options = [None, *gr.CHOICE_INDICATORS[name]]
                stored = last["values"].get(name)
                values[name] = st.selectbox(gr.indicator_label(name, lang), options, index=options.index(stored) if stored in options else 0,
                                            format_func=lambda o, n=name: ui.t("grading.not_given") if o is None else gr.option_label(n, o, lang),
                                            key=f"{prefix}_{name}")
            else:
                ui.init_widget(f"{prefix}_{name}", last["values"].get(name))
                values[name] = st.number_input(f"{gr.indicator_label(name, lang)}（{ui.t(f'grading.unit_short.{name}')}）"
                                               if lang == "zh" else f"{gr.indicator_label(name, lang)} ({ui.t(f'grading.unit_short.{name}')})",
                                               value=None, min_value=0.0, key=f"{prefix}_{name}", placeholder=ui.t("grading.not_given"))
    vetoes = st.multiselect(ui.t("grading.vetoes"), spec["vetoes"], default=[v for v in last["vetoes"] if v in spec["vetoes"]],
                            format_func=lambda v: ui.t(f"grading.veto.{v}"), key=f"{prefix}_vetoes", placeholder=ui.t("grading.no_veto"))
    documents = st.multiselect(ui.t("grading.documents"), spec["documents"],
                               default=[d for d in last["documents"] if d in spec["documents"]],
                               format_func=lambda d: ui.t(f"grading.document.{d}"), key=f"{prefix}_documents",
                               placeholder=ui.t("common.none"))
    return standard, values, vetoes, documents


tab_grade, tab_queue = st.tabs([ui.t("grading.tab.grade"), ui.t("grading.tab.queue")])

with tab_grade:
    labels = {r["code"]: f"{r['code']} · {r['name']}" for r in projects.to_dict("records")}
    code = st.selectbox(ui.t("grading.pick"), [None, *sorted(labels)], key="gr_project", placeholder=ui.t("grading.pick_help"),
                        format_func=lambda c: ui.t("grading.pick_help") if c is None else labels[c])
    if code is not None:
        project = projects[projects["code"] == code].iloc[0].to_dict()
        state = states.get(code, ev.State(code, None, "none", None, None, None, None))
        st.info(ev.status_text(state, lang))
        support = ui.t("grading.support_yes", amount=i18n.fmt_cny_wan(project.get("city_support_wan"), lang)) \
            if lg.asks_support(project) else ui.t("grading.support_no")
        st.caption(ui.t("grading.project_line", category=ui.label("category", project.get("category")),
                        district=names.get(project.get("district"), "–"), support=support))
        standard, values, vetoes, documents = inputs_form(code, project, state)
        result = gr.grade_with(gr.normalized_inputs(values, vetoes, documents), rules, standard, version)
        st.subheader(ui.t("grading.result"))
        explain(result)
        seen_key = f"gr_seen_{code}"
        if ev.may_propose(viewer, project):
            note = st.text_input(ui.t("grading.note"), max_chars=ev.NOTE_MAX, key=f"gr_note_{code}_{state.latest_id}")
            left, right = st.columns(2)
            save = left.button(ui.t("grading.save"), key=f"gr_save_{code}")
            propose = right.button(ui.t("grading.propose"), type="primary", key=f"gr_propose_{code}", disabled=not result.rated)
            seen = st.session_state.get(seen_key, state.latest_id)
            if save or propose:
                act(lambda: ev.record(store, viewer, code, standard, values, vetoes, documents, propose=propose,
                                      seen_latest=seen, note=note or ""),
                    ui.t("grading.proposed" if propose else "grading.saved", code=code, grade=gr.grade_text(result, lang)),
                    ui.t("grading.conflict", code=code))
        else:
            st.caption(ui.t("grading.propose_not_yours"))
        st.session_state[seen_key] = state.latest_id
        mine = evaluations[evaluations["project_code"] == code]
        if len(mine):
            with st.expander(ui.t("grading.history")):
                st.dataframe(ev.history_table(mine, lang, rules), hide_index=True, width="stretch")

with tab_queue:
    waiting = ev.pending(evaluations, projects)
    st.caption(ui.t("grading.queue_caption", n=len(waiting)))
    if not waiting:
        st.info(ui.t("grading.queue_empty"))
    else:
        st.dataframe(ev.pending_table(waiting, projects, lang, names, rules), hide_index=True, width="stretch")
        if ui.allowed(Action.CONFIRM_GRADE):
            by_code = {s.code: s for s in waiting}
            pick = st.selectbox(ui.t("grading.queue_pick"), list(by_code), key="gr_queue_pick",
                                format_func=lambda c: labels.get(c, c))
            state = by_code[pick]
            st.markdown(ui.t("grading.proposed_by", by=state.proposal["recorded_by"], grade=state.proposal["grade"],
                             version=int(state.proposal["standard_version"])))
            if not is_missing(state.proposal["note"]):
                st.caption(str(state.proposal["note"]))
            explain(ev.recompute(store, state.proposal))
            seen = st.session_state.get(f"gr_queue_seen_{pick}", state.latest_id)
            reason = st.text_area(ui.t("grading.return_reason"), max_chars=ev.NOTE_MAX, key=f"gr_reason_{pick}_{state.latest_id}")
            left, right = st.columns(2)
            if left.button(ui.t("grading.confirm"), type="primary", key=f"gr_confirm_{pick}"):
                act(lambda: ev.confirm(store, viewer, pick, seen_latest=seen),
                    ui.t("grading.confirmed", code=pick, grade=state.proposal["grade"]), ui.t("grading.conflict", code=pick))
            if right.button(ui.t("grading.send_back"), key=f"gr_return_{pick}"):
                act(lambda: ev.send_back(store, viewer, pick, reason or "", seen_latest=seen),
                    ui.t("grading.returned", code=pick), ui.t("grading.conflict", code=pick))
            st.session_state[f"gr_queue_seen_{pick}"] = state.latest_id
        else:
            st.caption(ui.t("grading.queue_office_only"))
