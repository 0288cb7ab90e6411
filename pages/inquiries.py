"""Inquiries (在线咨询): investors' questions about a district's sites, for its staff to answer."""
import streamlit as st

from heatmap import i18n, ui

lang = ui.lang()
ui.page_header("inquiries.title")
st.caption(ui.t("inquiries.caption"))
names = ui.district_names()
carrier_names = dict(zip(ui.carriers()["code"], ui.carriers()["name"]))

inquiries = ui.visible_inquiries()
if st.toggle(ui.t("inquiries.open_only"), value=True, key="i_open_only"):
    inquiries = inquiries[inquiries["status"] == "open"]
if inquiries.empty:
    st.info(ui.t("inquiries.none"))

for _, inquiry in inquiries.iterrows():
    with st.container(border=True):
        head, action = st.columns([4, 1])
        status = ui.t(f"inquiries.status.{inquiry['status']}")
        head.markdown(f"**{inquiry['carrier_code']}** · {names.get(inquiry['district'], inquiry['district'])} · "
                      f"{i18n.fmt_datetime(inquiry['created_at'], lang)} · {status}")
        head.text(carrier_names.get(inquiry["carrier_code"], ""))
        # investors' words are shown as plain text, never as markup
        head.text(f"{ui.t('inquiry.name')}: {inquiry['name']}    {ui.t('inquiry.company')}: {inquiry['company'] or '–'}")
        head.text(f"{ui.t('inquiry.contact')}: {inquiry['contact']}")
        head.text(inquiry["message"])
        if inquiry["status"] == "open":
            if action.button(ui.t("inquiries.mark"), key=f"answer_{inquiry['id']}"):
                ui.mark_inquiry_answered(int(inquiry["id"]))
                st.rerun()
        else:
            action.caption(ui.t("inquiries.answered_by", user=inquiry["answered_by"],
                                at=i18n.fmt_datetime(inquiry["answered_at"], lang)))
