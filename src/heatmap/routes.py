"""HTTP routes beside the Streamlit app (mounted by app.py through `st.App`): sign-in and sign-out.

The browser posts the sign-in form here, not through the websocket, so the answer can set the session
cookie HTTP-only (no script on the page can read it) and a reload, a new tab or a colleague's link keeps the
user signed in. Each route checks what it is asked itself: the form must come from the app's own pages
(Origin), the account and client are throttled (auth.sign_in), and `next` may only lead back into the app.
"""
from __future__ import annotations

import asyncio
import functools
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from heatmap import audit, auth, bootstrap, config, sessions
from heatmap.store import Store

SIGN_IN_PATH = "/auth/signin"
SIGN_OUT_PATH = "/auth/signout"
NOTICE_PARAM = "signin"  # the page the browser returns to says why: failed | locked | out


@functools.cache
def _store() -> Store:
    store = Store()
    bootstrap.ensure_database(store)
    return store


def client_address(peer: str | None, forwarded_for: str | None = None) -> str:
    """The client's address as the audit and the throttle see it: the peer, or behind a trusted reverse proxy
    (HEATMAP_TRUST_PROXY=1) the first address the proxy forwarded."""
    if forwarded_for and config.setting("HEATMAP_TRUST_PROXY") in ("1", "true", "yes"):
        peer = forwarded_for.split(",")[0].strip()
    peer = (peer or "unknown").strip()
    return peer.removeprefix("::ffff:")[:64]


def safe_next(target: str | None) -> str:
    """Where to send the browser back to: a path of this app (with its query), never another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//") or "\\" in target:
        return "/"
    return urlunsplit(("", "", parts.path, parts.query, ""))


def with_notice(target: str, notice: str | None) -> str:
    """`target` with the sign-in notice set (or removed, for None)."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != NOTICE_PARAM]
    if notice:
        query.append((NOTICE_PARAM, notice))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def _same_origin(request: Request) -> bool:
    """A form posted from the app's own page (the browser says so in Origin, else Referer): no other site
    can sign a visitor in or out."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == request.headers.get("host")


def _secure(request: Request) -> bool:
    configured = config.cookie_secure()
    return request.url.scheme == "https" if configured is None else configured


def _client(request: Request) -> str:
    return client_address(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))


def _audit(store: Store, request: Request, action: str, viewer=None, *, actor: str | None = None,
           detail: dict | None = None) -> None:
    """Record a sign-in, a refusal or a sign-out, from where the audit trail says it (audit.client_of)."""
    seen = request.client.host if request.client else None
    store.audit(action, actor=viewer.username if viewer else actor, role=viewer.role.value if viewer else None,
                district=viewer.district if viewer else None, detail=detail,
                client=audit.client_of(None if seen in ("127.0.0.1", "::1", "::ffff:127.0.0.1") else seen, request.headers.get("x-forwarded-for")),
                user_agent=request.headers.get("user-agent"))


async def sign_in(request: Request):
    if not _same_origin(request):
        return PlainTextResponse("Forbidden: the form must come from this app's own page.", status_code=403)
    form = await request.form()
    target = safe_next(str(form.get("next") or "/"))
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    store, client, agent = _store(), _client(request), request.headers.get("user-agent")
    typed = username.strip()[:80]
    if not typed or not password:
        return RedirectResponse(with_notice(target, "failed"), status_code=303)
    result = await run_in_threadpool(auth.sign_in, store, username, password, client)
    if result.delay_s:
        await asyncio.sleep(result.delay_s)  # slows this client only: the server goes on serving others
    if result.viewer is None:
        detail = {"username": typed} | ({"until": result.locked_until} if result.locked_until else {})
        await run_in_threadpool(_audit, store, request, "signin_locked" if result.refusal == "locked" else "signin_failed",
                                detail=detail)
        return RedirectResponse(with_notice(target, result.refusal), status_code=303)
    now = auth._utcnow()
    cookie = await run_in_threadpool(sessions.begin, store, result.viewer, now, client, agent)
    await run_in_threadpool(_audit, store, request, "signin", result.viewer)
    response = RedirectResponse(with_notice(target, None), status_code=303)
    response.set_cookie(sessions.COOKIE, cookie, max_age=int(sessions.lifetime().total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=_secure(request))
    return response


async def sign_out(request: Request):
    if not _same_origin(request):
        return PlainTextResponse("Forbidden: the form must come from this app's own page.", status_code=403)
    form = await request.form()
    target = safe_next(str(form.get("next") or "/"))
    everywhere = form.get("everywhere") == "1"
    store = _store()
    username = await run_in_threadpool(sessions.end, store, request.cookies.get(sessions.COOKIE), auth._utcnow(), everywhere)
    if username:
        await run_in_threadpool(_audit, store, request, "signout", actor=username,
                                detail={"everywhere": True} if everywhere else None)
    response = RedirectResponse(with_notice(target, "out"), status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def routes() -> list[Route]:
    return [Route(SIGN_IN_PATH, sign_in, methods=["POST"]), Route(SIGN_OUT_PATH, sign_out, methods=["POST"])]
