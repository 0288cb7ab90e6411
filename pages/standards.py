"""评价标准 (Grading standards): an administrator edits a category's standard — indicators with weight and
scoring, cut-offs of the grades, veto items, documents — or adds a category, sees how the projects' grades
would change (old → new per project, counts per grade) and saves it as a new version (refused when invalid,
or over a version someone saved meanwhile). Logic: pipeline.standards, pipeline.grading, pipeline.rulebook."""
import pandas as pd
import streamlit as st

from heatmap import i18n, ui
from heatmap.access import Action
from heatmap.model import ValidationError, is_missing
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import grading as gr
from heatmap.pipeline import rulebook
from heatmap.pipeline import standards as sd
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("standards.title", "standards.caption", Action.MANAGE_RULES)
store = ui.get_store()
version, in_force = ev.standards(store)

for flash, show in (("sd_done", st.success), ("sd_conflict", st.warning)):
    if flash in st.session_state:
        show(st.session_state.pop(flash))

shown = st.session_state.setdefault("sd_shown", version)  # the version this editor was filled from
round_ = st.session_state.get("sd_round", 0)


def fresh(newest):
    """Fill the editor afresh from version `newest` on the next run."""
    st.session_state["sd_shown"] = newest
    st.session_state["sd_round"] = round_ + 1
    st.session_state.pop("sd_draft", None)
    st.rerun()


base = st.session_state.get("sd_draft") or rulebook.at_version(store, gr.RULES_NAME, shown)
st.markdown(ui.t("rules.version", version=version) if version else ui.t("rules.version_default"))

with st.expander(ui.t("standards.add")):
    left, middle, right = st.columns(3)
    new_key = left.text_input(ui.t("standards.add_key"), max_chars=30, key=f"sd_new_key_{round_}")
    new_zh = middle.text_input(ui.t("standards.add_zh"), max_chars=40, key=f"sd_new_zh_{round_}")
    new_en = right.text_input(ui.t("standards.add_en"), max_chars=80, key=f"sd_new_en_{round_}")
    if st.button(ui.t("standards.add_button"), key=f"sd_add_{round_}"):
        added, problems = sd.new_category(base, new_key, new_zh, new_en)
        for problem in problems:
            st.error(gr.problem_text(problem, lang, added))
        if not problems:
            st.session_state["sd_draft"] = added
            st.session_state["sd_pick"] = new_key.strip()
            st.rerun()

keys = list(base["standards"])
if st.session_state.get("sd_pick") not in keys:
    st.session_state["sd_pick"] = keys[0]
key = st.selectbox(ui.t("standards.pick"), keys, key="sd_pick", format_func=lambda k: gr.category_label(k, lang, base))
spec = base["standards"][key]
prefix = f"sd_{key}_{shown}_{round_}_{lang}"

st.markdown(f"**{ui.t('standards.indicators')}**", help=ui.t("standards.indicators_help"))
table = st.data_editor(
    pd.DataFrame(sd.rows(spec, lang), columns=list(sd.ROW_COLUMNS)), num_rows="dynamic", hide_index=True, width="stretch",
    key=f"{prefix}_rows",
    column_config={
        "indicator": st.column_config.SelectboxColumn(ui.t("grading.col.indicator"), options=sd.indicator_choices(lang)),
        "weight": st.column_config.NumberColumn(ui.t("grading.col.weight"), min_value=0.0, max_value=100.0),
        "scoring": st.column_config.SelectboxColumn(ui.t("grading.col.scoring"), options=sd.scoring_choices(lang)),
        "points": st.column_config.TextColumn(ui.t("standards.col.points")),
        "benchmark": st.column_config.TextColumn(ui.t("standards.col.benchmark")),
        "options": st.column_config.TextColumn(ui.t("standards.col.options")),
    })
st.markdown(f"**{ui.t('standards.cutoffs')}**", help=ui.t("standards.cutoffs_help"))
cutoffs = {}
for column, grade in zip(st.columns(len(gr.GRADED_CUTOFFS)), gr.GRADED_CUTOFFS):
    cutoffs[grade] = column.number_input(grade, value=float(spec["cutoffs"][grade]), min_value=0.0, max_value=100.0,
                                         step=1.0, key=f"{prefix}_cut_{grade}")
left, right = st.columns(2)
vetoes = left.multiselect(ui.t("grading.vetoes"), list(gr.VETOES), default=spec["vetoes"], key=f"{prefix}_vetoes",
                          format_func=lambda v: ui.t(f"grading.veto.{v}"), placeholder=ui.t("common.none"))
documents = right.multiselect(ui.t("grading.documents"), list(gr.DOCUMENTS), default=spec["documents"], key=f"{prefix}_docs",
                              format_func=lambda d: ui.t(f"grading.document.{d}"), placeholder=ui.t("common.none"))

indicators, problems = sd.read_rows(table, key, lang)
names = base.get("labels", {}).get(key)
edited = sd.edited(base, key, indicators, vetoes, documents, cutoffs, tuple(names) if names else None)
problems += gr.validate_rules(edited) if not problems else []

st.subheader(ui.t("standards.preview"))
if problems:
    st.error(ui.t("standards.invalid") + "\n\n" + "\n\n".join(f"- {gr.problem_text(p, lang, edited)}" for p in problems[:20]))
else:
    effect = sd.preview(store.grade_evaluations(), in_force, edited)
    st.markdown(sd.summary(effect, lang))
    counts, moved = st.columns([1, 2])
    counts.table(sd.counts_table(effect, lang).set_index(ui.t("grading.col.grade")))
    changes = sd.changes_table(effect, ui.projects(), lang, edited)
    if len(changes):
        moved.dataframe(changes, hide_index=True, width="stretch")
    note = st.text_input(ui.t("rules.note"), max_chars=500, key=f"{prefix}_note")
    if st.button(ui.t("standards.save"), type="primary", key=f"{prefix}_save"):
        try:
            saved = rulebook.save(store, gr.RULES_NAME, edited, user=viewer.username or "", edited_from=shown, note=note)
        except Conflict:
            newest, _ = ev.standards(store)
            st.session_state["sd_conflict"] = ui.t("standards.changed_meanwhile", version=newest)
            fresh(newest)
        except ValidationError as error:
            st.error("\n\n".join(f"- {gr.problem_text(p, lang, edited)}" for p in error.problems))
        else:
            st.session_state["sd_done"] = ui.t("rules.unchanged") if saved is None else ui.t("standards.saved", version=saved)
            fresh(saved or shown)
if shown != version and "sd_draft" not in st.session_state:  # someone saved since this editor was filled
    fresh(version)

st.subheader(ui.t("rules.history"))
history = store.rules_history(gr.RULES_NAME)
if history.empty:
    st.info(ui.t("rules.no_history"))
else:
    st.dataframe(pd.DataFrame([[int(r["version"]), r["created_by"], i18n.fmt_datetime(r["created_at"], lang),
                                "–" if is_missing(r["note"]) else r["note"]]
                               for r in history.sort_values("version", ascending=False).to_dict("records")],
                              columns=[ui.t(f"rules.col.{c}") for c in ("version", "by", "at", "note")]),
                 hide_index=True, width="stretch")
