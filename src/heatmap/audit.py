"""Who is acting, and from where, for the audit trail (issue 11) — without passing it through every call.

The store records each change in the audit trail (`Store.audit`, table `audit_events`) inside the change's own
transaction. It knows the account a write is made by (`user=`), but not the person's role, district, address or
browser: those come from the *current context*, a context variable that the caller sets once for whatever runs
after it. The app (heatmap.ui) sets it at the start of every script run from the session's viewer and
`st.context`; the command line sets it to client "cli"; a test or a script may use `acting(...)`.

A context variable belongs to one thread (and asyncio task): two sessions of the app never see each other's.
Code that runs later on another thread (a download built when it is clicked) captures `current()` first and
runs inside `acting(captured)`.

Every action the trail records has a code in ACTIONS, and each code a name in Chinese and English (i18n
`audit.action.<code>`); `Store.audit` refuses a code not listed, so nothing shows up unnamed on the audit page.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from typing import Iterator

# Codes of what the trail records (the i18n catalog names each one: audit.action.<code>).
ACTIONS = (
    # accounts and sessions (recorded by heatmap.auth / the sidebar / the accounts page)
    "signin", "signin_failed", "signin_locked", "signout", "session_expired",
    "account_create", "account_update", "account_disable", "account_enable", "account_password_reset",
    "account_password_change",
    # carriers and projects: uploads and their commits, edits, rollbacks
    "upload", "upload_commit", "carrier_edit", "project_edit", "stage_event", "rollback", "header_mapping",
    # confidential data leaving the app, and a project's record opened
    "export", "download", "project_view",
    # the pipeline
    "report_submit", "first_report_register", "first_report_correction", "first_report_confirm",
    "first_report_withdraw", "duplicate_decision",
    "transfer_propose", "transfer_accept", "transfer_decline", "transfer_refer", "transfer_withdraw",
    "transfer_credit_change",
    "grade_save", "grade_propose", "grade_confirm", "grade_return", "support_decision",
    # settings
    "standard_change", "rules_change", "settings_change",
    # investors' inquiries, the sample
    "inquiry_receive", "inquiry_answer", "sample_load",
)

CLI_CLIENT = "cli"  # the client of everything the command line does
LOCAL_CLIENT = "localhost"  # a browser on the server's own machine (Streamlit gives no address for it)


@dataclasses.dataclass(frozen=True)
class Context:
    """Who acts and from where. `recording` is False only while the sample is loaded (`unrecorded`)."""

    actor: str | None = None
    role: str | None = None
    district: str | None = None
    client: str | None = None
    user_agent: str | None = None
    recording: bool = True


_current: contextvars.ContextVar[Context] = contextvars.ContextVar("heatmap_audit_context", default=Context())


def current() -> Context:
    return _current.get()


def set_context(context: Context) -> None:
    """Make `context` the current one for the rest of this thread's work (the app: once per script run)."""
    _current.set(context)


@contextlib.contextmanager
def acting(context: Context | None = None, **fields) -> Iterator[Context]:
    """Run a block as `context` (or the current one with `fields` replaced), then restore what was current."""
    chosen = dataclasses.replace(context or current(), **fields)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


@contextlib.contextmanager
def unrecorded() -> Iterator[None]:
    """For writes that are nobody's act, and only those: the sample's made-up history (versions, reports, ledger,
    grades, transfers dated in the past; the load itself is recorded, `sample_load`), and the default grading
    standards written down as version 1 when a grade first uses them (nothing changes)."""
    with acting(recording=False):
        yield


def client_of(ip_address: str | None, forwarded_for: str | None = None) -> str:
    """The "from where" of a browser: its address as Streamlit saw it (None: the server's own machine). Behind a
    reverse proxy that is the proxy's address; the address the proxy names (X-Forwarded-For, first entry) then
    comes first, as in that header ("203.0.113.7, 10.0.0.2"), the one seen kept beside it: a client can send
    that header itself, so it is never trusted alone."""
    seen = ip_address or LOCAL_CLIENT
    forwarded = (forwarded_for or "").split(",")[0].strip()
    return f"{forwarded}, {seen}" if forwarded and forwarded != seen else seen
