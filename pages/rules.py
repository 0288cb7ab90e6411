"""Rules (规则设置): every pipeline rule as editable, versioned data — one form per rules document (reports,
projects, duplicates, award, counting, scoreboard points), a new version on each save, refused when invalid (naming the setting)
or when someone saved a newer version meanwhile; below, each version with who, when, why and what changed.
Administrators only. Fields, their names and the change lists come from pipeline.rulebook."""
import streamlit as st

from heatmap import i18n, ui
from heatmap.access import Action
from heatmap.model import ValidationError
from heatmap.pipeline import rulebook
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("rules.title", "rules.caption", Action.MANAGE_RULES)
store = ui.get_store()
names = ui.district_names()


def column(name, setting, col):
    title = rulebook.column_label(name, setting, col, lang)
    if col.kind in ("int", "number"):
        return st.column_config.NumberColumn(title, min_value=col.minimum, max_value=col.maximum,
                                             step=1 if col.kind == "int" else None)
    if col.kind == "date":
        return st.column_config.DateColumn(title, format="YYYY-MM-DD")
    if col.kind == "choice":
        return st.column_config.SelectboxColumn(title, options=rulebook.table_choices(name, setting, col, lang, names))
    return st.column_config.TextColumn(title)


def widget(name, setting, document, key):
    title, help_ = rulebook.label(name, setting.key, lang), rulebook.help_text(name, setting, lang)
    value = rulebook.form_value(name, setting, document, lang, names)
    if setting.kind in ("int", "number"):
        if setting.nullable:  # Streamlit lets a number be emptied only when it starts empty: start it from state
            ui.init_widget(key, value)
        return st.number_input(title, value=None if setting.nullable else value, min_value=setting.minimum,
                               max_value=setting.maximum, step=setting.step, help=help_, key=key,
                               placeholder=rulebook.empty_text(name, setting, lang) if setting.nullable else None)
    if setting.kind == "bool":
        return st.checkbox(title, value=bool(value), help=help_, key=key)
    if setting.kind in ("choice", "multi"):
        options = rulebook.options(name, setting, document)
        shown = lambda v: rulebook.option_label(name, setting, v, lang, document)  # noqa: E731
        if setting.kind == "choice":
            return st.selectbox(title, options, index=options.index(value), format_func=shown, help=help_, key=key)
        return st.multiselect(title, options, default=value, format_func=shown, help=help_, key=key,
                              placeholder=ui.t("common.none"))
    if setting.kind == "words":
        return st.text_area(title, value=value, help=help_, key=key, height=120)
    if setting.kind == "table":
        st.markdown(f"**{title}**", help=help_)
        return st.data_editor(value, column_config={c.name: column(name, setting, c) for c in setting.columns},
                              num_rows="dynamic", hide_index=True, key=key, width="stretch")
    return st.text_input(title, value=value or "", help=help_, key=key)


def show(name):
    title = rulebook.title(name, lang)
    version, _ = rulebook.current(store, name)
    st.caption(rulebook.document_help(name, lang))
    st.markdown(ui.t("rules.version", version=version) if version else ui.t("rules.version_default"))
    for flash, show_it in ((f"ru_saved_{name}", st.success), (f"ru_conflict_{name}", st.warning)):
        if flash in st.session_state:
            show_it(st.session_state.pop(flash))
    shown = st.session_state.setdefault(f"ru_shown_{name}", version)  # the version this form was filled from
    base = rulebook.at_version(store, name, shown)
    round_ = st.session_state.get(f"ru_round_{name}", 0)
    form_key = f"ru_{name}_{round_}_{lang}"  # a new round or language: filled afresh
    with st.form(form_key):
        answers = {}
        for group in rulebook.layout(name):  # inputs two a row, then switches two a row, then lists and tables
            columns = st.columns(2) if group.paired else [st.container()]
            for i, setting in enumerate(group.settings):
                with columns[i % len(columns)]:
                    answers[setting.key] = widget(name, setting, base, f"{form_key}_{setting.key}")
        note = st.text_input(ui.t("rules.note"), max_chars=500, key=f"{form_key}_note")
        submitted = st.form_submit_button(ui.t("rules.save"), type="primary")

    def fresh(newest):  # the next run shows the form filled from `newest`
        st.session_state[f"ru_shown_{name}"] = newest
        st.session_state[f"ru_round_{name}"] = round_ + 1
        st.rerun()

    if not submitted:
        if shown != version:  # someone saved since this form was filled, and nothing was sent: show theirs
            fresh(version)
        return
    document, problems = rulebook.read_form(name, answers, base, lang, names)
    try:
        if problems:
            raise ValidationError(problems)
        saved = rulebook.save(store, name, document, user=viewer.username or "", edited_from=shown, note=note)
    except Conflict:
        newest, _ = rulebook.current(store, name)
        st.session_state[f"ru_conflict_{name}"] = ui.t("rules.changed_meanwhile", document=title, version=newest)
        fresh(newest)
    except ValidationError as error:
        st.error(ui.t("rules.refused") + "\n\n" + "\n\n".join(
            f"- {rulebook.problem_text(name, p, lang, names)}" for p in error.problems[:20]))
    else:
        st.session_state[f"ru_saved_{name}"] = (ui.t("rules.unchanged") if saved is None
                                                else ui.t("rules.saved", document=title, version=saved))
        fresh(saved or shown)


def history(name):
    st.subheader(ui.t("rules.history"))
    versions = rulebook.history(store, name, lang, names)
    if not versions:
        st.info(ui.t("rules.no_history"))
        return
    st.dataframe(rulebook.history_table(versions, lang), hide_index=True, width="stretch")
    for v in versions:
        with st.expander(ui.t("rules.version_title", version=v.version, by=v.by, at=i18n.fmt_datetime(v.at, lang))):
            st.dataframe(v.changes, hide_index=True, width="stretch")


for name, tab in zip(rulebook.NAMES, st.tabs([rulebook.title(n, lang) for n in rulebook.NAMES])):
    with tab:
        show(name)
        history(name)
