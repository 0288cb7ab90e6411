"""Accounts (账号管理): an administrator creates, disables and re-enables accounts, sets role and district,
and resets passwords; the list shows each account's last sign-in. Logic in heatmap.auth (through ui)."""
import streamlit as st

from heatmap import accountlist, auth, ui
from heatmap.access import Action, Role

lang = ui.lang()
ui.confidential_page("accounts.title", "accounts.caption", Action.MANAGE_ACCOUNTS)
names = ui.district_names()
users = ui.accounts()
st.dataframe(accountlist.shown(users, lang, names), hide_index=True, width="stretch")

roles = [r.value for r in Role if r is not Role.PUBLIC]
districts = [None, *names]


def district_label(code):
    return ui.t("accounts.no_district") if code is None else names[code]


left, right = st.columns(2)
with left, st.form("account_create", clear_on_submit=True):
    st.subheader(ui.t("accounts.create"))
    username = st.text_input(ui.t("accounts.col.username"), max_chars=80)
    display_name = st.text_input(ui.t("accounts.col.display_name"), max_chars=120)
    role = st.selectbox(ui.t("accounts.col.role"), roles, format_func=lambda r: ui.label("role", r))
    district = st.selectbox(ui.t("accounts.col.district"), districts, format_func=district_label, help=ui.t("accounts.district_help"))
    password = st.text_input(ui.t("accounts.initial_password"), type="password", help=ui.t("accounts.initial_password_help"))
    st.caption(ui.t("myaccount.rules", n=auth.MIN_PASSWORD_LENGTH))
    if st.form_submit_button(ui.t("accounts.create_button"), type="primary"):
        try:
            ui.create_account(username, display_name, role, district, password)
        except auth.AccountError as error:
            st.error(ui.t("accounts.problem", reason=ui.account_problem(error)))
        else:
            st.success(ui.t("accounts.created", username=username.strip()))
            st.rerun()

with right:
    st.subheader(ui.t("accounts.edit"))
    chosen = st.selectbox(ui.t("accounts.choose"), list(users["username"]), key="account_chosen")
    row = users.set_index("username").loc[chosen]
    with st.form(f"account_edit_{chosen}"):
        new_name = st.text_input(ui.t("accounts.col.display_name"), value=row["display_name"] or chosen, max_chars=120)
        new_role = st.selectbox(ui.t("accounts.col.role"), roles, index=roles.index(row["role"]), format_func=lambda r: ui.label("role", r))
        current_district = row["district"] if isinstance(row["district"], str) else None
        new_district = st.selectbox(ui.t("accounts.col.district"), districts, index=districts.index(current_district),
                                    format_func=district_label, help=ui.t("accounts.district_help"))
        if st.form_submit_button(ui.t("accounts.save"), type="primary"):
            try:
                ui.change_account(chosen, new_role, new_district, new_name)
            except auth.AccountError as error:
                st.error(ui.t("accounts.problem", reason=ui.account_problem(error)))
            else:
                st.session_state["account_notice"] = ui.t("accounts.saved", username=chosen)
                st.rerun()
    buttons = st.columns(2)
    if row["active"]:
        toggle = buttons[0].button(ui.t("accounts.disable"), key=f"disable_{chosen}")
    else:
        toggle = buttons[0].button(ui.t("accounts.enable"), key=f"enable_{chosen}")
    if toggle:
        try:
            ui.set_account_active(chosen, not row["active"])
        except auth.AccountError as error:
            st.error(ui.t("accounts.problem", reason=ui.account_problem(error)))
        else:
            done = "accounts.enabled_done" if not row["active"] else "accounts.disabled_done"
            st.session_state["account_notice"] = ui.t(done, username=chosen)
            st.rerun()
    if buttons[1].button(ui.t("accounts.reset"), key=f"reset_{chosen}"):
        password = ui.reset_account_password(chosen)
        st.info(ui.t("accounts.reset_done", username=chosen))
        st.code(password, language=None)
    notice = st.session_state.pop("account_notice", None)
    if notice:
        st.success(notice)
