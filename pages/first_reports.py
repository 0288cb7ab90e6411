"""信息首报 (first reports): who first brought a project, registered with a time nobody can edit; the receiving
district confirms referrals; the office reads the award list of settled projects. Confidential: staff see their
own district's projects, leaders by code name, the office and administrators all."""
import streamlit as st

from heatmap import export, i18n, ui
from heatmap.access import Action
from heatmap.model import ValidationError
from heatmap.pipeline import firstreports as fr
from heatmap.pipeline import ledger, workflow
from heatmap.pipeline.ledger import LedgerError, RegistrantKind
from heatmap.pipeline.reasons import reason_text, reasons_text
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("firstreports.title", "firstreports.caption", Action.VIEW_PIPELINE)

store = ui.get_store()
names = ui.district_names()
districts = ui.districts()
book = fr.entries(store)
projects = ui.projects()
by_code = {rec["code"]: rec for rec in projects.to_dict("records")}


def seen(code: str, submitted: bool) -> int:
    """The project's highest entry number as this person last saw it (what a write is checked against)."""
    key = f"fr_seen_{code}"
    if not submitted:
        st.session_state[key] = fr.seen_id(book, code)
    return st.session_state.get(key, fr.seen_id(book, code))


def write(action, done_key: str, message) -> None:
    """Run a ledger write; its refusal as sentences, a conflict as a notice (the page reads the ledger again)."""
    try:
        result = action()
    except Conflict as error:
        st.session_state["fr_conflict"] = " ".join(i18n.problem_text(p, lang) for p in error.problems)
        st.rerun()
    except LedgerError as error:
        for reason in error.reasons:
            st.error(reason_text(reason, lang, districts))
    except ValidationError as error:
        for problem in error.problems[:10]:
            st.error(i18n.problem_text(problem, lang))
    else:
        st.session_state[done_key] = message(result)
        st.rerun()


def notices() -> None:
    if "fr_conflict" in st.session_state:
        st.warning(ui.t("firstreports.conflict", why=st.session_state.pop("fr_conflict")))
    for key in ("fr_done", "fr_confirmed"):
        if key in st.session_state:
            st.success(st.session_state.pop(key))


def who_inputs(kind: str, key: str, base: ledger.Entry | None = None) -> dict:
    """The registrant's fields for a kind of registrant (district: a district; others: a name)."""
    if kind == RegistrantKind.DISTRICT:
        options = [viewer.district] if viewer.district else list(names)
        index = options.index(base.registrant) if base and base.registrant in options else 0
        values = {"registrant": st.selectbox(ui.t("firstreports.registrant_district"), options, index=index,
                                             format_func=lambda d: names.get(d, d), key=f"{key}_district")}
    else:
        values = {"registrant": st.text_input(ui.t(f"firstreports.registrant_name.{kind}"), max_chars=fr.NAME_MAX,
                                              value=base.registrant if base else "", key=f"{key}_name")}
    if kind == RegistrantKind.INDIVIDUAL:
        values["unit"] = st.text_input(ui.t("firstreports.unit"), max_chars=fr.NAME_MAX, value=base.unit if base else "",
                                       key=f"{key}_unit")
        values["state_employee"] = st.checkbox(ui.t("firstreports.state_employee"), key=f"{key}_state",
                                               value=bool(base and base.state_employee))
    values["note"] = st.text_input(ui.t("firstreports.note"), max_chars=fr.NOTE_MAX, value=base.note if base else "",
                                   key=f"{key}_note")
    return values


tab_names = [ui.t("firstreports.tab.register")]
if viewer.district and ui.allowed(Action.REGISTER_FIRST_REPORTS):
    tab_names.append(ui.t("firstreports.tab.confirm"))
if fr.sees_award_list(viewer):
    tab_names.append(ui.t("firstreports.tab.awards"))
tabs = dict(zip(tab_names, st.tabs(tab_names)))
notices()

with tabs[ui.t("firstreports.tab.register")]:
    if projects.empty:
        st.info(ui.t("projects.none"))
    else:
        code = st.selectbox(ui.t("firstreports.pick"), sorted(by_code), key="fr_project",
                            format_func=lambda c: fr.project_label(by_code[c], viewer, lang))
        st.markdown(f"**{ui.t('firstreports.first')}** {reasons_text(fr.first_reasons(book, code), lang, districts)}")
        st.dataframe(fr.entries_table(book, code, lang, names), hide_index=True, width="stretch")
        may_register = not fr.registrable(viewer, projects[projects["code"] == code]).empty
        if not may_register:
            st.caption(ui.t("firstreports.read_only"))
        else:
            st.subheader(ui.t("firstreports.new"))
            kind = st.radio(ui.t("ledger.registrant_kind"), list(RegistrantKind), horizontal=True, key="fr_kind",
                            format_func=lambda k: ui.label("ledger.registrant_kind", k))
            with st.form(f"fr_register_{code}_{kind}", clear_on_submit=True):
                values = who_inputs(kind, f"fr_new_{code}")
                submitted = st.form_submit_button(ui.t("firstreports.register"), type="primary")
            saw = seen(code, submitted)
            if submitted:
                write(lambda: fr.register(store, viewer, code, registrant_kind=kind, seen=saw, **values), "fr_done",
                      lambda ids: ui.t("firstreports.registered", id=ids[0], code=code)
                      + (ui.t("firstreports.self_confirmed") if len(ids) > 1 else ""))
            versions = fr.current_versions(book, code)
            if versions:
                with st.expander(ui.t("firstreports.correct")):
                    st.caption(ui.t("firstreports.correct_help"))
                    target = st.selectbox(ui.t("firstreports.correct_pick"), versions, key=f"fr_target_{code}",
                                          format_func=lambda r: ui.t("firstreports.version", id=r.entry.id,
                                                                     who=names.get(r.entry.registrant, r.entry.registrant)))
                    with st.form(f"fr_correct_{target.entry.id}", clear_on_submit=True):
                        changes = who_inputs(target.entry.registrant_kind, f"fr_fix_{target.entry.id}", target.entry)
                        fixed = st.form_submit_button(ui.t("firstreports.correct_button"))
                    saw_fix = seen(code, fixed)
                    if fixed:
                        write(lambda: fr.correct(store, viewer, target.entry.id, seen=saw_fix, **changes), "fr_done",
                              lambda new_id: ui.t("firstreports.corrected", id=new_id, target=target.entry.id))

if ui.t("firstreports.tab.confirm") in tabs:
    with tabs[ui.t("firstreports.tab.confirm")]:
        pending = fr.awaiting_confirmation(book, projects, viewer.district)
        st.caption(ui.t("firstreports.confirm_help", district=names.get(viewer.district, viewer.district),
                        n=i18n.fmt_int(len(pending), lang)))
        if not pending:
            st.info(ui.t("firstreports.none_pending"))
        for item in pending:
            entry, reg = item.registration.entry, item.registration
            who = names.get(entry.registrant, entry.registrant)
            with st.container(border=True):
                st.markdown(ui.t("firstreports.pending_line", project=fr.project_label(item.project, viewer, lang), who=who,
                                 kind=ui.label("ledger.registrant_kind", entry.registrant_kind),
                                 at=i18n.fmt_datetime(reg.registered_at, lang), id=entry.id))
                if entry.note:
                    st.caption(entry.note)
                if item.first:
                    st.caption(ui.t("firstreports.pending_first"))
                clicked = st.button(ui.t("firstreports.confirm_button"), key=f"fr_confirm_{entry.id}", type="primary")
                saw = seen(item.project["code"], clicked)
                if clicked:
                    write(lambda: fr.confirm(store, viewer, entry.id, seen=saw), "fr_confirmed",
                          lambda _id: ui.t("firstreports.confirmed", who=who, code=item.project["code"]))

if ui.t("firstreports.tab.awards") in tabs:
    with tabs[ui.t("firstreports.tab.awards")]:
        rules = fr.rules(store)
        st.caption(fr.rules_text(rules, lang))
        claimed_on = st.date_input(ui.t("firstreports.claimed_on"), value=workflow.today_in_taicang(), key="fr_claimed_on", format="YYYY-MM-DD")
        awards = fr.award_table(store, viewer, lang, districts, claimed_on=claimed_on)
        summary = fr.award_summary(awards, lang)
        st.markdown(ui.t("firstreports.award_summary", n=i18n.fmt_int(summary["projects"], lang),
                         eligible=i18n.fmt_int(summary["eligible"], lang),
                         total=i18n.fmt_cny_wan(summary["total_cny"] / 10_000, lang)))
        st.dataframe(awards, hide_index=True, width="stretch")
        sheets = {ui.t("firstreports.tab.awards"): awards}
        ui.download(ui.t("firstreports.download"), lambda: export.to_excel(sheets), key="fr_download",
                    permission=Action.VIEW_PIPELINE,
                    file_name=f"taicang-first-report-awards-{claimed_on.isoformat()}.xlsx", target_district=viewer.district,
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", detail={"rows": len(awards)})
