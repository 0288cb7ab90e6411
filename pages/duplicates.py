"""One window (统一窗口): the investment office sees pairs of records from different districts that are likely
one project, both sides in full, and decides — the same project (one hosting district, the other keeps its
first-contact credit) or two different ones. A decided pair is never raised again."""
import streamlit as st

from heatmap import i18n, ui
from heatmap.access import Action
from heatmap.model import ValidationError
from heatmap.pipeline import library, office
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("dup.title", "dup.caption", Action.RESOLVE_DUPLICATES)
store = ui.get_store()
names = ui.district_names()
if "d_done" in st.session_state:
    st.success(st.session_state.pop("d_done"))

projects = store.projects()
pairs = office.queue(store, projects)
st.subheader(ui.t("dup.queue", n=i18n.fmt_int(len(pairs), lang)))
if not pairs:
    st.info(ui.t("dup.none"))
for pair in pairs[:20]:
    both = office.both_sides(store, pair, projects)
    with st.expander(f"{pair.codes[0]} ↔ {pair.codes[1]} · {names.get(pair.districts[0], pair.districts[0])} / "
                     f"{names.get(pair.districts[1], pair.districts[1])} · {ui.t('dup.score', score=round(pair.score))}"):
        st.markdown(i18n.clause_separator(lang).join(ui.t(r.key, **dict(r.params)) for r in pair.reasons))
        left, right = st.columns(2)
        for column, record in ((left, both.left), (right, both.right)):
            column.dataframe(library.record_rows(record, viewer, lang, names), hide_index=True, width="stretch")
        with st.form(f"d_{pair.codes[0]}_{pair.codes[1]}"):
            outcome = st.radio(ui.t("dup.outcome"), ["same", "different"], format_func=lambda o: ui.t(f"dup.outcome.{o}"),
                               horizontal=True)
            hosting = st.selectbox(ui.t("dup.hosting"), list(dict.fromkeys(pair.districts)),
                                   format_func=lambda d: names.get(d, d))
            note = st.text_input(ui.t("dup.note"), max_chars=500)
            if st.form_submit_button(ui.t("dup.decide"), type="primary"):
                try:
                    effect = office.decide(store, viewer, pair, projects, outcome, hosting, note or None)
                except (Conflict, ValidationError) as error:
                    for problem in error.problems[:10]:
                        st.error(i18n.problem_text(problem, lang))
                else:
                    st.session_state["d_done"] = i18n.clause_separator(lang).join(ui.t(r.key, **office.named(r.params, names)) for r in effect.reasons)
                    st.rerun()
