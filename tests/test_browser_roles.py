"""Permissions checked from outside, in a real Chromium on the sample: one browser context per role — the
public, staff of one district (staff-liuhe), the investment office, a leader, an administrator — walks every
page its navigation lists (found from the sidebar's links, so pages added later are walked too) and opens
every other page of the app by its URL (the administrator's navigation lists them all, plus ADMIN_ONLY).

On every page: no exception. What reaches the browser — the DOM of the page and its frames, and every
websocket frame the server sent (Streamlit's binary protobuf messages, searched for the UTF-8 bytes of each
needle and for its JSON-escaped form) — holds, for the public, no project field (codes, code names, names,
investors, amounts as the pages format them); for staff of one district, no name or investor of a project
that is neither hosted by nor first brought to their district; for a leader, who reads projects by code
name, no project's name or investor. Only an administrator reaches the admin-only pages (accounts, audit,
standards, rules), by navigation or by URL: everyone else is refused there, or — for a page the app does not
have yet — lands elsewhere and sees nothing of it.

A page opened by its URL is opened as a user would: a new page load, on which the session cookie keeps the
user signed in (the walk checks that it does, for every role and page).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

from heatmap import bootstrap, i18n
from heatmap.access import Action, Role, Viewer, allowed
from heatmap.pipeline import library
from heatmap.store import Store

from conftest import sign_in, wait_for_app
from test_browser_public_pipeline import PROJECT_CODE, REFUSAL, everything

# url path -> the action that opens it (by name: a page arriving with another issue may bring its action). Only
# administrators hold these; the walk checks that no other role reaches them.
ADMIN_ONLY = {"accounts": "MANAGE_ACCOUNTS", "audit": "VIEW_AUDIT", "standards": "MANAGE_RULES", "rules": "MANAGE_RULES"}
ROLES = {"public": None, "staff": "staff-liuhe", "office": "office", "leader": "leader", "admin": "admin"}
STAFF_DISTRICT = "liuhe"
NAV_LINKS = "[data-testid='stSidebarNav'] a"


# --- what must not be seen ------------------------------------------------------------------------------


def trie_pattern(words, escape) -> str:
    """One regular expression matching any of `words` (strings, or bytes as sequences of ints), shaped as
    their trie: `re` tries the alternatives of a|b|c one by one at every position, a trie only its depth (the
    megabytes of a map page are searched for a thousand needles in a few hundredths of a second)."""
    trie: dict = {}
    for word in words:
        node = trie
        for unit in word:
            node = node.setdefault(unit, {})
        node[None] = {}

    def build(node) -> str:
        branches = [escape(unit) + build(child) for unit, child in node.items() if unit is not None]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if None in node else body

    return build(trie)


class Needles:
    """Strings to look for in page text and in raw websocket frames: each as written and JSON-escaped (a map
    or a component carries its data as JSON, where 浏河 may stand as \\u6d4f\\u6cb3)."""

    def __init__(self, words):
        self.of: dict[str, str] = {}  # form -> the string it stands for
        for word in {w for w in words if len(w) >= 4}:
            self.of[word] = word
            self.of[json.dumps(word)[1:-1]] = word
        self.text = re.compile(trie_pattern(self.of, re.escape)) if self.of else None
        byte = lambda b: re.escape(bytes([b])).decode("latin-1")  # noqa: E731 - a byte as a pattern of text
        self.raw = re.compile(trie_pattern([f.encode() for f in self.of], byte).encode("latin-1")) if self.of else None

    def __len__(self) -> int:
        return len(set(self.of.values()))

    def found(self, data: str | bytes) -> set[str]:
        if self.text is None:
            return set()
        if isinstance(data, bytes):
            return {self.of[m.decode()] for m in self.raw.findall(data)}
        return {self.of[m] for m in self.text.findall(data)}


def amounts_as_shown(records) -> set[str]:
    """Investment amounts as the pages write them, in both languages ("2,650 万元", "USD 32.0 m ≈ CNY 227.2 m")."""
    return {library.amount_text(r, lang) for r in records for lang in i18n.LANGUAGES} - {"–"}


@pytest.fixture(scope="module")
def sample(app_server):
    store = Store(f"sqlite:///{app_server.data_dir / 'heatmap.sqlite'}")
    bootstrap.ensure_database(store, sample_if_empty=True)  # as the app does on first use
    yield store.projects(), store.users()
    store.engine.dispose()


@pytest.fixture(scope="module")
def needles(sample) -> dict[str, Needles]:
    projects, _ = sample
    assert len(projects) > 100  # the sample has a pipeline: the checks are not vacuous
    records = projects.to_dict("records")
    names = {str(r[c]) for r in records for c in ("name", "investor") if isinstance(r.get(c), str)}
    own = [r for r in records if STAFF_DISTRICT in (r["district"], r["origin_district"])]
    own_words = {str(r[c]) for r in own for c in ("name", "investor") if isinstance(r.get(c), str)}
    others = {str(r[c]) for r in records if r not in own for c in ("name", "investor") if isinstance(r.get(c), str)}
    public = names | {str(r[c]) for r in records for c in ("code", "code_name") if isinstance(r.get(c), str)}
    # (an investor of another district whose name begins an own project's investor, "X GmbH" of "X GmbH & Co. KG",
    # is in the own project's fields: not a needle)
    others = {w for w in others if not any(w in mine for mine in own_words)}
    out = {"public": Needles(public | amounts_as_shown(records)), "staff": Needles(others),
           "leader": Needles(names)}
    assert len(out["staff"]) > 100 and own  # staff-liuhe has projects of its own and many it must not see
    return out


# --- walking ------------------------------------------------------------------------------------------------


@dataclass
class Walk:
    """One role's browser context: the pages it saw and the websocket frames the server sent it."""

    page: object
    user: str | None
    frames: list = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # url path -> frames received before it was opened

    def signed_in(self) -> bool:
        return self.page.locator("[data-testid='stSidebar']").get_by_text("已登录").count() > 0

    def path(self) -> str:
        return urlparse(self.page.url).path.strip("/")

    def nav(self) -> dict[str, str]:
        """url path -> link of every page the sidebar's navigation lists ("" is the home page)."""
        links = self.page.locator(NAV_LINKS)
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        return {urlparse(href).path.strip("/"): href for href in hrefs}

    def click(self, path: str, href: str) -> None:
        self.seen[path] = len(self.frames)
        self.page.locator(f"{NAV_LINKS}[href='{href}']").click()
        wait_for_app(self.page)
        assert self.path() == path, (path, self.page.url)

    def open(self, url: str, path: str) -> None:
        """Open the page at its URL, as a new page load: the user stays signed in (at a URL the app has no page
        for, Streamlit says so and runs the home page)."""
        self.seen[path] = len(self.frames)
        self.page.goto(f"{url}/{path}")
        wait_for_app(self.page)
        dialog = self.page.get_by_role("dialog")  # "Page not found"
        if dialog.count():
            self.page.keyboard.press("Escape")
            dialog.wait_for(state="detached", timeout=10_000)
        elif self.user:
            assert self.signed_in(), f"{self.user} was signed out by opening {path} by its URL"

    def text(self) -> str:
        return self.page.locator("[data-testid='stMain']").inner_text()

    def frames_since(self, path: str) -> bytes:
        return b"\n".join(f if isinstance(f, bytes) else f.encode() for f in self.frames[self.seen[path]:])


def start(browser, app_server, user: str | None) -> tuple[object, Walk]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    walk = Walk(page, user)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: walk.frames.append(payload)))
    page.goto(app_server.url)
    wait_for_app(page)
    if user:
        sign_in(page, user)
    return context, walk


@pytest.fixture(scope="module")
def every_page(browser, app_server) -> dict[str, str]:
    """Every page of the app: the administrator's navigation lists them all (an administrator may do everything)."""
    context, walk = start(browser, app_server, "admin")
    pages = walk.nav()
    context.close()
    assert {"", "map", "projects", "standards"} <= set(pages), pages
    return pages


def refused(text: str, role: str) -> bool:
    if role == "public":
        return REFUSAL["zh"] in text
    return i18n.t("access.not_for_role", "zh", role=i18n.t(f"role.{Role(role).value}", "zh")) in text


def viewer_of(role: str, sample) -> Viewer:
    _, users = sample
    if role == "public":
        return Viewer(None, Role.PUBLIC)
    row = users.set_index("username").loc[ROLES[role]]
    return Viewer(ROLES[role], Role(row["role"]), row["district"] if isinstance(row["district"], str) else None)


def test_only_administrators_hold_the_admin_only_pages_actions(sample):
    """The data the walk below checks in the browser, checked against the one permission function."""
    for path, name in ADMIN_ONLY.items():
        action = getattr(Action, name, None)
        if action is None:  # that page's action has not arrived yet: the walk still checks nobody reaches the URL
            continue
        assert {role for role in ROLES if allowed(viewer_of(role, sample), action)} == {"admin"}, path


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_walks_every_page_and_sees_only_what_it_may(browser, app_server, every_page, needles, sample, role):
    _, users = sample
    others = {u for u in users["username"] if u.startswith("staff-") and u != ROLES[role]}  # an accounts page lists them
    context, walk = start(browser, app_server, ROLES[role])
    listed = walk.nav()
    problems = []

    def check(path: str, how: str) -> None:
        where = f"{role} {how} /{path}"
        exception = walk.page.locator("[data-testid='stException']")
        if exception.count():
            problems.append(f"{where}: an exception: {exception.first.inner_text()[:300]}")
        if role in needles:
            dom = everything(walk.page)
            leaked = needles[role].found(dom) | needles[role].found(walk.frames_since(path))
            if role == "public":
                leaked |= set(PROJECT_CODE.findall(dom)) | {m.decode() for m in re.findall(rb"TC-PJ-\d+", walk.frames_since(path))}
            if leaked:
                problems.append(f"{where}: {len(leaked)} project fields reached the browser, e.g. {sorted(leaked)[:3]}")

    for path, href in listed.items():
        walk.click(path, href)
        check(path, "by navigation")
        if role != "admin" and path in ADMIN_ONLY:
            problems.append(f"{role}: the navigation lists the admin-only page /{path}")
        if refused(walk.text(), role):  # a page the navigation lists opens (the public's lists no confidential one)
            problems.append(f"{role} is refused on /{path}, which the navigation lists")

    for path in sorted((set(every_page) | set(ADMIN_ONLY)) - set(listed)):
        walk.open(app_server.url, path)
        check(path, "by URL")
        text = walk.text()
        if role == "admin":  # an admin-only page not built yet is the only one the administrator's navigation lacks
            assert path in ADMIN_ONLY and path not in every_page and walk.path() != path, path
            continue
        if path in every_page and walk.path() == path and not refused(text, role):
            problems.append(f"{role} opened /{path} by its URL and was not refused")
        if path in ADMIN_ONLY:
            shown = sorted(u for u in others if u in text)
            if shown:
                problems.append(f"{role} at /{path} sees accounts: {shown[:3]}")
        if set(walk.nav()) & set(ADMIN_ONLY):
            problems.append(f"{role} at /{path}: the navigation lists an admin-only page")

    if role == "admin":  # and the administrator reaches the admin-only pages by their URLs too
        for path in sorted(set(ADMIN_ONLY) & set(every_page)):
            walk.open(app_server.url, path)
            check(path, "by URL")
            if walk.path() != path or refused(walk.text(), "admin"):
                problems.append(f"admin did not reach /{path} by its URL")
    if role in needles:  # everything the server sent this role, from the first page load to the last
        leaked = needles[role].found(b"\n".join(f if isinstance(f, bytes) else f.encode() for f in walk.frames))
        if leaked:
            problems.append(f"{role}: {len(leaked)} project fields in the websocket frames, e.g. {sorted(leaked)[:3]}")
    context.close()
    assert not problems, "\n".join(problems)
    if role != "public":
        assert listed.keys() - {"", "map", "vacancy", "matching"}  # signed in, the navigation has more than the public's
