"""太仓投资热力图 · Taicang Investment Heat Map — the entry point: `streamlit run app.py`.

`streamlit run` imports this file once as the server's ASGI app (`st.App`: Streamlit's own routes plus the
sign-in and sign-out routes of heatmap.routes), and then runs it as the script of every browser session:
the page chrome and the navigation.
"""
import streamlit as st

if __name__ != "__main__":  # imported by `streamlit run` (or an ASGI server) as the web app
    from heatmap import routes

    app = st.App(__file__, routes=routes.routes())
else:  # a script run of one browser session
    from heatmap import ui
    from heatmap.access import Action

    ui.setup_page()
    ui.sidebar()

    # Pages arrive with their issues; each is a thin file in pages/ that calls the library.
    pages = [
        st.Page("pages/home.py", title=ui.t("nav.home"), icon=":material/home:", default=True, url_path="home"),
        st.Page("pages/map.py", title=ui.t("nav.map"), icon=":material/map:", url_path="map"),
        st.Page("pages/vacancy.py", title=ui.t("nav.vacancy"), icon=":material/domain_disabled:", url_path="vacancy"),
        st.Page("pages/matching.py", title=ui.t("nav.matching"), icon=":material/join_inner:", url_path="matching"),
    ]
    pages += [  # confidential: listed for those allowed, refused by URL to anyone else
        ui.confidential_nav_page(Action.VIEW_PIPELINE, "pages/projects.py", "nav.projects", ":material/work:", "projects"),
        ui.confidential_nav_page(Action.VIEW_REPORTS, "pages/reports.py", "nav.reports", ":material/event_note:", "reports"),
        ui.confidential_nav_page(Action.VIEW_PIPELINE, "pages/first_reports.py", "nav.first_reports", ":material/flag:",
                                 "first-reports"),
        ui.confidential_nav_page(Action.VIEW_PIPELINE, "pages/transfers.py", "nav.transfers", ":material/swap_horiz:",
                                 "transfers"),
        ui.confidential_nav_page(Action.VIEW_REPORTS, "pages/scoreboard.py", "nav.scoreboard", ":material/leaderboard:",
                                 "scoreboard"),
        ui.confidential_nav_page(Action.EDIT_PROJECTS, "pages/grading.py", "nav.grading", ":material/grade:", "grading"),
        ui.confidential_nav_page(Action.VIEW_LEADING_GROUP, "pages/leading_group.py", "nav.leading_group", ":material/groups:",
                                 "leading-group"),
        ui.confidential_nav_page(Action.RESOLVE_DUPLICATES, "pages/duplicates.py", "nav.duplicates", ":material/call_merge:",
                                 "duplicates"),
        ui.confidential_nav_page(Action.MANAGE_RULES, "pages/rules.py", "nav.rules", ":material/tune:", "rules"),
        ui.confidential_nav_page(Action.MANAGE_RULES, "pages/standards.py", "nav.standards", ":material/rule:", "standards"),
        ui.confidential_nav_page(Action.MANAGE_ACCOUNTS, "pages/accounts.py", "nav.accounts", ":material/manage_accounts:",
                                 "accounts"),
        ui.confidential_nav_page(Action.VIEW_AUDIT, "pages/audit.py", "nav.audit", ":material/policy:", "audit"),
    ]
    if ui.allowed(Action.EDIT_CARRIERS) or ui.allowed(Action.EDIT_PROJECTS):  # carriers, or a project list
        pages.append(st.Page("pages/upload.py", title=ui.t("nav.upload"), icon=":material/upload_file:", url_path="upload"))
    if ui.allowed(Action.HANDLE_INQUIRIES):
        pages.append(st.Page("pages/inquiries.py", title=ui.t("nav.inquiries"), icon=":material/mail:", url_path="inquiries"))
    pages.append(st.Page("pages/account.py", title=ui.t("nav.account"), icon=":material/account_circle:", url_path="account",
                         visibility="visible" if ui.viewer().signed_in else "hidden"))
    st.navigation(pages, expanded=True).run()  # every page listed: an administrator has more than the dozen shown collapsed
