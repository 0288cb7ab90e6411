"""拟流转 (transfer proposals): on any day, outside the reporting cycle, a district proposes one of its projects
for another district, or for the investment office to coordinate, with a reason; the proposals are listed
with date and who. Confidential: staff see proposals from and to their district (another district's project
by code name and needs only), leaders by code name, the office and administrators all."""
import streamlit as st

from heatmap import i18n, ui
from heatmap.access import Action
from heatmap.pipeline import transfers
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("transfers.title", "transfers.caption", Action.VIEW_PIPELINE)

store = ui.get_store()
names = ui.district_names()
districts = ui.districts()
rules = transfers.rules(store)
proposals = store.transfer_proposals()
mine = transfers.proposable(viewer, ui.projects(), rules)

if "tp_conflict" in st.session_state:
    st.warning(st.session_state.pop("tp_conflict"))
if "tp_done" in st.session_state:
    st.success(st.session_state.pop("tp_done"))

if viewer.district and ui.allowed(Action.EDIT_PROJECTS, viewer.district):
    st.subheader(ui.t("transfers.new"))
    if mine.empty:
        st.info(ui.t("transfers.none_proposable"))
    else:
        labels = {r["code"]: f"{r['code']} · {r['name']}" for r in mine.to_dict("records")}
        with st.form("tp_form", clear_on_submit=True):
            code = st.selectbox(ui.t("transfers.pick"), sorted(labels), format_func=labels.get, key="tp_project")
            targets = [None] + [d for d in names if d != viewer.district]
            to = st.selectbox(ui.t("transfers.to"), targets, key="tp_to",
                              format_func=lambda d: ui.t("transfers.to_office") if d is None else names.get(d, d))
            reason = st.selectbox(ui.t("transfers.reason"), rules["reasons"], key="tp_reason",
                                  format_func=lambda r: transfers.reason_label(r, lang, rules))
            note = st.text_area(ui.t("transfers.note"), max_chars=transfers.NOTE_MAX, key="tp_note")
            submitted = st.form_submit_button(ui.t("transfers.propose"), type="primary")
        if not submitted:  # what this person saw: each project's latest proposal
            st.session_state["tp_seen"] = transfers.latest_ids(proposals)
        else:
            try:
                transfers.propose(store, viewer, code, to, reason, note or "", rules_=rules,
                                  seen_latest=st.session_state.get("tp_seen", transfers.latest_ids(proposals)).get(code))
            except Conflict:
                st.session_state["tp_conflict"] = ui.t("transfers.conflict", code=code)
                st.rerun()
            except transfers.TransferError as error:
                for text in transfers.problems_text(error.reasons, lang, districts, rules):
                    st.error(text)
            else:
                st.session_state["tp_done"] = ui.t("transfers.proposed", code=code,
                                                   to=ui.t("transfers.to_office") if to is None else names.get(to, to))
                st.rerun()

st.subheader(ui.t("transfers.list"))
table = transfers.table(viewer, proposals, store.projects(), lang, names, rules)
st.caption(ui.t("transfers.count", n=i18n.fmt_int(len(table), lang)))
if table.empty:
    st.info(ui.t("transfers.none"))
else:
    st.dataframe(table, hide_index=True, width="stretch")
