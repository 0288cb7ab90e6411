"""My account (我的账户): any signed-in user changes their password (their other sessions end) and sees
where the account is signed in. Logic in heatmap.auth and heatmap.sessions (through ui)."""
import pandas as pd
import streamlit as st

from heatmap import auth, i18n, ui

lang = ui.lang()
ui.page_header("myaccount.title")
if not ui.viewer().signed_in:
    st.info(ui.t("projects.not_allowed"))
    st.stop()
st.caption(ui.t("myaccount.caption"))

st.subheader(ui.t("myaccount.change_password"))
with st.form("own_password", clear_on_submit=True):
    current = st.text_input(ui.t("myaccount.current"), type="password")
    new = st.text_input(ui.t("myaccount.new"), type="password")
    repeat = st.text_input(ui.t("myaccount.repeat"), type="password")
    st.caption(ui.t("myaccount.rules", n=auth.MIN_PASSWORD_LENGTH))
    if st.form_submit_button(ui.t("myaccount.save"), type="primary"):
        try:
            ui.change_own_password(current, new, repeat)
        except auth.AccountError as error:
            st.error(ui.t("accounts.problem", reason=ui.account_problem(error)))
        else:
            st.success(ui.t("myaccount.changed"))

st.subheader(ui.t("myaccount.sessions"))
st.caption(ui.t("myaccount.sessions_caption"))
mine = st.session_state.get("session_token_hash")
rows = [{
    ui.t("myaccount.col.since"): i18n.fmt_datetime(s["created_at"], lang) + (f" {ui.t('myaccount.this_session')}" if s["token_hash"] == mine else ""),
    ui.t("myaccount.col.last_seen"): i18n.fmt_datetime(s["last_seen_at"], lang),
    ui.t("myaccount.col.client"): s["client"] or "–",
    ui.t("myaccount.col.browser"): (s["user_agent"] or "–")[:80],
} for s in ui.own_sessions()]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
