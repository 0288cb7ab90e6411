"""项目流转: on any day a district proposes a project it cannot host for another district or for the office's pool;
the receiving district accepts (the project moves to it) or declines with a reason; the office refers pool
proposals, declined ones and those without progress, and edits the credit split; the list shows every step and
how long it waited, and both districts' credit once the project settles. Confidential: staff see the transfers
their district sent and received (another district's project by code name and needs only), leaders by code
name, the office and administrators all."""
import datetime as dt

import streamlit as st

from heatmap import i18n, ui
from heatmap.access import Action
from heatmap.pipeline import reports, transfercredit, transferflow, transfers, workflow
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("transfers.title", "transfers.caption", Action.VIEW_PIPELINE)

store = ui.get_store()
names = ui.district_names()
districts = ui.districts()
rules = transfers.rules(store)
now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
proposals = store.transfer_proposals()
flows = transferflow.transfers_of(proposals, store.transfer_events())
all_projects = store.projects()
mine = transfers.proposable(viewer, ui.projects(), rules)

if "tp_conflict" in st.session_state:
    st.warning(st.session_state.pop("tp_conflict"))
if "tp_done" in st.session_state:
    st.success(st.session_state.pop("tp_done"))


def label_of(t: transferflow.Transfer) -> str:
    return transferflow.option_label(viewer, t, all_projects, lang, names)


def seen_now(key: str, shown: list[transferflow.Transfer], submitted: bool) -> dict[int, int | None]:
    """What this person saw of each transfer (its latest step) when the form was drawn: kept until they submit."""
    if not submitted:
        st.session_state[key] = {t.id: t.last_id for t in shown}
    return st.session_state.get(key, {t.id: t.last_id for t in shown})


def act(action, done: str) -> None:
    """Run one step; a refusal is shown here, a conflict or success after a rerun (nothing half written)."""
    try:
        action()
    except Conflict:
        st.session_state["tp_conflict"] = ui.t("transferflow.conflict")
        st.rerun()
    except transfers.TransferError as error:
        for text in transferflow.problems_text(error, lang, districts, rules):
            st.error(text)
    else:
        st.session_state["tp_done"] = done
        st.rerun()


# --- the receiver decides (a district's staff; the office for its pool) --------------------------------------
to_decide = [t for t in flows if transferflow.may_decline(viewer, t)]
if to_decide:
    st.subheader(ui.t("transferflow.to_decide_office" if transferflow.coordinates(viewer) else "transferflow.to_decide"))
    decisions = ["decline"] if transferflow.coordinates(viewer) else ["accept", "decline"]
    by_id = {t.id: t for t in to_decide}
    with st.form(f"tf_decide_{lang}", clear_on_submit=True):
        picked = st.selectbox(ui.t("transferflow.pick"), list(by_id), format_func=lambda i: label_of(by_id[i]), key=f"tf_decide_pick_{lang}")
        decision = st.radio(ui.t("transferflow.decision"), decisions, horizontal=True, key=f"tf_decision_{lang}",
                            format_func=lambda d: ui.t(f"transferflow.decision.{d}"))
        reason = st.selectbox(ui.t("transferflow.decline_reason"), rules["decline_reasons"], key=f"tf_decline_reason_{lang}",
                              format_func=lambda r: transfers.reason_label(r, lang, rules))
        note = st.text_area(ui.t("transferflow.note"), max_chars=transfers.NOTE_MAX, key=f"tf_decide_note_{lang}")
        submitted = st.form_submit_button(ui.t("transferflow.submit_decision"), type="primary")
    seen = seen_now("tf_decide_seen", to_decide, submitted)
    if not submitted:
        st.session_state["tf_base"] = dict(zip(all_projects["code"], all_projects["version_id"].astype(int)))
    if submitted:
        t = by_id[picked]
        base = {t.project_code: st.session_state.get("tf_base", {}).get(t.project_code)}
        if decision == "accept":
            act(lambda: transferflow.accept(store, viewer, t.id, seen=seen.get(t.id), project_base=base, note=note or "",
                                            rules_=rules),
                ui.t("transferflow.accepted_done", code=t.project_code, district=names.get(t.receiver, t.receiver),
                     split=transferflow.split_text(t.split or transferflow.default_split(rules), lang, rules)))
        else:
            act(lambda: transferflow.decline(store, viewer, t.id, reason, seen=seen.get(t.id), note=note or "", rules_=rules),
                ui.t("transferflow.declined_done", project=label_of(t)))

# --- the list and the credit --------------------------------------------------------------------------------
st.subheader(ui.t("transfers.list"))
table = transferflow.table(viewer, flows, all_projects, lang, names, now, rules)
shown = transferflow.visible(viewer, flows)
overdue = sum(transferflow.stale(t, now, rules) for t in shown)
st.caption(ui.t("transfers.count", n=i18n.fmt_int(len(table), lang))
           + (ui.t("transferflow.stale_count", n=overdue, days=rules["stale_days"]) if overdue else ""))
if table.empty:
    st.info(ui.t("transfers.none"))
else:
    st.dataframe(table, hide_index=True, width="stretch")

st.subheader(ui.t("transfercredit.title"))
report_rules = workflow.rules(store)
credit = transfercredit.transfer_credits(store, lambda day: reports.period_of(day, report_rules).key)
credit_table = transfercredit.table(viewer, credit, all_projects, lang, names,
                                    lambda key: reports.period_from_key(key, report_rules).label(lang))
if credit_table.empty:
    st.info(ui.t("transfercredit.none"))
else:
    st.table(credit_table.set_index(credit_table.columns[0]))

# --- the office refers and sets the split ------------------------------------------------------------------
if transferflow.coordinates(viewer):
    st.subheader(ui.t("transferflow.to_refer", days=rules["stale_days"]))
    referable = [t for t in flows if transferflow.may_refer(viewer, t, now, rules)]
    if not referable:
        st.info(ui.t("transferflow.none_to_refer"))
    else:
        by_id = {t.id: t for t in referable}
        with st.form(f"tf_refer_{lang}", clear_on_submit=True):
            picked = st.selectbox(ui.t("transferflow.pick"), list(by_id), format_func=lambda i: label_of(by_id[i]), key=f"tf_refer_pick_{lang}")
            target = st.selectbox(ui.t("transferflow.refer_to"), list(names), format_func=names.get, key=f"tf_refer_to_{lang}")
            note = st.text_area(ui.t("transferflow.note"), max_chars=transfers.NOTE_MAX, key=f"tf_refer_note_{lang}")
            submitted = st.form_submit_button(ui.t("transferflow.submit_refer"), type="primary")
        seen = seen_now("tf_refer_seen", referable, submitted)
        if submitted:
            t = by_id[picked]
            act(lambda: transferflow.refer(store, viewer, t.id, target, seen=seen.get(t.id), note=note or "", now=now, rules_=rules),
                ui.t("transferflow.referred_done", project=label_of(t), district=names.get(target, target)))

    editable = [t for t in flows if transferflow.may_edit_credit(viewer, t)]
    if editable:
        st.subheader(ui.t("transferflow.credit"))
        st.caption(ui.t("transferflow.credit_help"))
        by_id = {t.id: t for t in editable}
        default_percent, default_years = transferflow.default_split(rules)
        with st.form(f"tf_credit_{lang}", clear_on_submit=True):
            picked = st.selectbox(ui.t("transferflow.pick"), list(by_id), format_func=lambda i: label_of(by_id[i]), key=f"tf_credit_pick_{lang}")
            left, right = st.columns(2)
            percent = left.number_input(ui.t("transferflow.origin_percent"), min_value=0.0, max_value=100.0, step=5.0, format="%.1f",
                                        value=float(default_percent), key=f"tf_credit_percent_{lang}")
            years = right.number_input(ui.t("transferflow.credit_years"), min_value=1, max_value=transferflow.YEARS_MAX, step=1,
                                       value=int(default_years), key=f"tf_credit_years_{lang}")
            note = st.text_area(ui.t("transferflow.note"), max_chars=transfers.NOTE_MAX, key=f"tf_credit_note_{lang}")
            submitted = st.form_submit_button(ui.t("transferflow.submit_credit"))
        seen = seen_now("tf_credit_seen", editable, submitted)
        if submitted:
            t = by_id[picked]
            act(lambda: transferflow.change_credit(store, viewer, t.id, float(percent), int(years), seen=seen.get(t.id), note=note or ""),
                ui.t("transferflow.credit_done", project=label_of(t), split=transferflow.split_text((float(percent), int(years)), lang, rules)))

# --- a district proposes ------------------------------------------------------------------------------------
if viewer.district and ui.allowed(Action.EDIT_PROJECTS, viewer.district):
    st.subheader(ui.t("transfers.new"))
    if mine.empty:
        st.info(ui.t("transfers.none_proposable"))
    else:
        labels = {r["code"]: f"{r['code']} · {r['name']}" for r in mine.to_dict("records")}
        with st.form(f"tp_form_{lang}", clear_on_submit=True):
            code = st.selectbox(ui.t("transfers.pick"), sorted(labels), format_func=labels.get, key=f"tp_project_{lang}")
            targets = [None] + [d for d in names if d != viewer.district]
            to = st.selectbox(ui.t("transfers.to"), targets, key=f"tp_to_{lang}",
                              format_func=lambda d: ui.t("transfers.to_office") if d is None else names.get(d, d))
            reason = st.selectbox(ui.t("transfers.reason"), rules["reasons"], key=f"tp_reason_{lang}",
                                  format_func=lambda r: transfers.reason_label(r, lang, rules))
            note = st.text_area(ui.t("transfers.note"), max_chars=transfers.NOTE_MAX, key=f"tp_note_{lang}")
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

# --- the proposing district withdraws ---------------------------------------------------------------------
withdrawable = [t for t in flows if transferflow.may_withdraw(viewer, t)]
if withdrawable:
    with st.expander(ui.t("transferflow.withdraw")):
        by_id = {t.id: t for t in withdrawable}
        with st.form(f"tf_withdraw_{lang}", clear_on_submit=True):
            picked = st.selectbox(ui.t("transferflow.pick"), list(by_id), format_func=lambda i: label_of(by_id[i]), key=f"tf_withdraw_pick_{lang}")
            note = st.text_area(ui.t("transferflow.note"), max_chars=transfers.NOTE_MAX, key=f"tf_withdraw_note_{lang}")
            submitted = st.form_submit_button(ui.t("transferflow.submit_withdraw"))
        seen = seen_now("tf_withdraw_seen", withdrawable, submitted)
        if submitted:
            t = by_id[picked]
            act(lambda: transferflow.withdraw(store, viewer, t.id, seen=seen.get(t.id), note=note or ""),
                ui.t("transferflow.withdrawn_done", project=label_of(t)))
