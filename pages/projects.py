"""Project library (项目库): a district's projects as a table, one project's record, history and stage events,
and a form to add or edit one. Confidential: staff see their own district's, the office and leaders all."""
import datetime as dt

import streamlit as st

from heatmap import i18n, ui
from heatmap.access import Action
from heatmap.ingest import review
from heatmap.model import PROJECT_FIELD, FieldType, Stage, ValidationError, is_missing
from heatmap.pipeline import intake, library, rulebook, workflow
from heatmap.pipeline import projects as projects_rules
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("projects.title", "projects.caption", Action.VIEW_PIPELINE)

store = ui.get_store()
names = ui.district_names()
projects = ui.projects()
lead_rules = workflow.rules(store)  # the valid-lead test in force (the reports rules)
events = store.stage_events(projects["code"].tolist()) if len(projects) else store.stage_events([])
# The record tab runs only while it is open (a project's full record is sent, and its opening audited, only then).
list_tab, record_tab, form_tab = st.tabs([ui.t("projects.tab.list"), ui.t("projects.tab.record"), ui.t("projects.tab.form")],
                                         key="p_tabs", on_change="rerun")

with list_tab:
    if projects.empty:
        st.info(ui.t("projects.none"))
    else:
        stages = st.multiselect(ui.t("field.stage"), [s.value for s in Stage], format_func=lambda s: ui.label("stage", s),
                                placeholder=ui.t("common.all"),
                                key="p_stages")
        shown = projects[projects["stage"].isin(stages)] if stages else projects
        st.caption(ui.t("projects.count", n=i18n.fmt_int(len(shown), lang)))
        st.dataframe(library.table(shown, viewer, lang, names, library.last_progress(events), lead_rules), hide_index=True,
                     width="stretch")


def label_of(code: str) -> str:
    row = projects[projects["code"] == code].iloc[0]
    title = row["name"] if library.sees_names(viewer) else (row["code_name"] if isinstance(row["code_name"], str) else "")
    return f"{code} · {title}" if title else code


with record_tab:
    if not record_tab.open:
        pass
    elif projects.empty:
        st.info(ui.t("projects.none"))
    else:
        code = st.selectbox(ui.t("projects.pick"), library.codes_of(projects), format_func=label_of, key="p_record")
        record = store.record("project", code)
        ui.record_viewed(code, record["district"], "projects")
        verdict, reasons = library.valid_lead(record, lead_rules, lang)
        st.markdown(f"**{ui.t('projects.lead.title', verdict=verdict)}**")
        st.markdown("\n".join(f"- {reason}" for reason in reasons))
        st.caption(ui.t("projects.lead.rules"))
        st.dataframe(library.record_rows(record, viewer, lang, names), hide_index=True, width="stretch")
        st.markdown(f"**{ui.t('projects.events')}**")
        st.dataframe(library.events_table(events[events["project_code"] == code], lang), hide_index=True, width="stretch")
        if ui.allowed(Action.VIEW_HISTORY) and library.sees_names(viewer):  # a history names the project
            st.markdown(f"**{ui.t('projects.history')}**")
            for version, change in store.record_changes("project", code, limit=20):
                with st.expander(f"{ui.t('upload.col.version')} {version['id']} · {i18n.fmt_datetime(version['created_at'], lang)}"
                                 f" · {version['created_by']} · {ui.label('source', version['source'])}"):
                    st.dataframe(review.version_changes_table([change], lang, names), hide_index=True, width="stretch")


def widget(field_name: str, value, key: str):
    spec = PROJECT_FIELD[field_name]
    label = ui.t(f"field.{field_name}")
    if field_name in ("district", "origin_district"):
        options = [None] + list(names) if field_name == "origin_district" else list(names)
        if field_name == "district":  # staff add and edit their own district's projects
            options = [d for d in options if ui.allowed(Action.EDIT_PROJECTS, d)]
        return st.selectbox(label, options, index=options.index(value) if value in options else 0, key=key,
                            format_func=lambda d: names.get(d, "–") if d else "–")
    if spec.type is FieldType.CHOICE:
        vocabulary = {"space_kind": "kind", "sector": "industry"}.get(field_name, field_name)
        options = ([] if spec.required else [None]) + list(spec.choices)
        return st.selectbox(label, options, index=options.index(value) if value in options else 0, key=key,
                            format_func=lambda c: i18n.label(vocabulary, c, lang) if c else "–")
    if field_name in library.LEAD_FACTS:  # yes, no or not known: never "no" for a fact nobody asked about
        known = None if is_missing(value) else bool(value)
        return st.radio(label, library.FACT_CHOICES, index=library.FACT_CHOICES.index(known), key=key, horizontal=True,
                        format_func=lambda v: library.fact_text(v, lang))
    if spec.type is FieldType.NUMBER:
        settled_only = field_name == "actual_investment_wan"
        return st.number_input(ui.t("projects.form.actual_investment_wan") if settled_only else label,
                               value=None if is_missing(value) else float(value), min_value=0.0,
                               max_value=float(spec.maximum) if spec.maximum else None, key=key,
                               help=ui.t("projects.form.actual_investment_help") if settled_only else None)
    if spec.type is FieldType.DATE:
        return st.date_input(label, value=value, key=key, format="YYYY-MM-DD")
    if spec.type is FieldType.BOOL:
        return st.checkbox(label, value=bool(value), key=key)
    return st.text_input(label, value=value or "", max_chars=spec.max_length, key=key)


FORM_GROUPS = (
    ("code", "code_name", "name", "investor", "credit_code", "investor_country"),
    ("category", "sector", "investment_wan", "currency", "stage", "district", "origin_district"),
    ("space_kind", "land_needed_mu", "floor_area_needed_m2", "clear_height_needed_m", "floor_load_needed_kn_m2",
     "crane_needed_t", "power_needed_kva", "tech_needs"),
    ("reported_by", "reported_on", "carrier_code", "grade", "is_confidential", "wanted_by"),
    (*library.LEAD_FACTS, "actual_investment_wan", "city_support_requested", "city_support_wan"),
)

with form_tab:
    if not ui.allowed(Action.EDIT_PROJECTS):
        st.info(ui.t("projects.read_only"))
    else:
        mine = projects[projects["district"].map(lambda d: ui.allowed(Action.EDIT_PROJECTS, d)).astype(bool)]
        choice = st.selectbox(ui.t("projects.edit_pick"), [None] + library.codes_of(mine), key="p_edit",
                              format_func=lambda c: ui.t("projects.new") if c is None else label_of(c))
        stored, base = intake.read_for_form(store, choice) if choice else (None, {})
        if "p_conflict" in st.session_state:
            st.warning(st.session_state.pop("p_conflict"))
        if "p_saved" in st.session_state:
            st.success(st.session_state.pop("p_saved"))
        if "p_notice" in st.session_state:
            st.info(st.session_state.pop("p_notice"))
        form_key = f"p_form_{choice or 'new'}_{st.session_state.get('p_round', 0)}"  # a new round: fresh inputs
        with st.form(form_key):
            values = {}
            for group in FORM_GROUPS:
                if group[0] == library.LEAD_FACTS[0]:
                    st.markdown(f"**{ui.t('projects.form.lead_facts')}**")
                columns = st.columns(2)
                for i, field_name in enumerate(group):
                    with columns[i % 2]:
                        if field_name == "code" and stored is not None:
                            st.text_input(ui.t("field.code"), value=stored["code"], disabled=True, key=f"{form_key}_code")
                            values["code"] = stored["code"]
                        elif field_name == "grade":  # the office's confirmed grade (项目评价), never typed here
                            st.text_input(ui.t("field.grade"), value=(stored or {}).get("grade") or ui.t("filters.ungraded"),
                                          disabled=True, help=ui.t("projects.grade_from_evaluation"), key=f"{form_key}_grade")
                        else:
                            values[field_name] = widget(field_name, (stored or {}).get(field_name), f"{form_key}_{field_name}")
            stage_on = st.date_input(ui.t("projects.stage_on"), value=dt.date.today(), key=f"{form_key}_stage_on",
                                     format="YYYY-MM-DD")
            stage_note = st.text_input(ui.t("projects.stage_note"), max_chars=500, key=f"{form_key}_stage_note")
            submitted = st.form_submit_button(ui.t("projects.save"), type="primary")
        if not submitted:
            st.session_state["p_shown"] = (choice, base)  # the version this person is looking at
        else:
            shown_choice, shown_base = st.session_state.get("p_shown", (choice, base))
            record = library.form_record(values, stored)
            read_base = (shown_base if shown_choice == choice else base) if choice else {record.get("code"): None}
            try:
                saved = intake.save_project(store, viewer, record, read_base, stage_on=stage_on,
                                            stage_note=stage_note or None)
            except Conflict:
                st.session_state["p_conflict"] = ui.t("projects.changed_meanwhile")
                st.session_state["p_round"] = st.session_state.get("p_round", 0) + 1  # show the project as it is
                st.rerun()
            except ValidationError as error:
                for problem in error.problems[:20]:
                    st.error(projects_rules.problem_text(problem, lang, rulebook.rules(store, "projects")))
            else:
                st.session_state["p_saved"] = (ui.t("projects.unchanged") if saved.version is None
                                               else ui.t("projects.saved", code=record["code"], version=saved.version))
                if saved.notice is not None and saved.notice.matches_elsewhere:
                    st.session_state["p_notice"] = ui.t(saved.notice.reason.key, **dict(saved.notice.reason.params))
                st.session_state["p_round"] = st.session_state.get("p_round", 0) + 1
                st.rerun()
