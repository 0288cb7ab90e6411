"""`python -m heatmap …`: set up the database, load the sample, manage accounts, import files, read and undo history.

The database is the one the app uses: HEATMAP_DATABASE_URL, or the embedded SQLite file in data/.

Every message and the help are in Chinese or English: `--lang zh|en` (before or after the command), or else
the locale: the first of LC_ALL, LC_MESSAGES, LANG that is set decides, Chinese if it starts with `zh`,
English otherwise. Output names things as people do (浏河镇, 厂房, 命令行导入), never by internal code.

Everything a command changes is in the audit trail with client "cli" and, as its user agent, the command and
the operating-system account that ran it (the command line trusts whoever holds the database address).

Exit codes: 0 done; 1 the file has errors (nothing written); 2 refused (a wrong argument, an unknown
account or version, not allowed, a rollback blocked by later changes; nothing written); 3 the database is
busy or unreachable (nothing written; try again).
"""
from __future__ import annotations

import argparse
import getpass
import os
import re
import socket
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd
import shapely
import sqlalchemy as sa

from heatmap import audit, auth, bootstrap, display, i18n, sample
from heatmap import store as store_module
from heatmap import access
from heatmap.access import Action, Role, Viewer, allowed, may_roll_back
from heatmap.ingest import pipeline
from heatmap.model import CARRIER_FIELD, PROJECT_FIELD, CarrierKind, FieldType, Problem, ValidationError, is_missing
from heatmap.store import Store

ENTITIES = ("carrier", "project")
HISTORY_LIMIT = 20  # versions listed by default
REFUSED, BUSY = 2, 3  # exit codes (see the module's docstring)
OPERATOR = "cli"  # who a change is recorded as when no account is named


# --- language ----------------------------------------------------------------------------------------


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """zh or en from the locale, as POSIX programs read it: the first of LC_ALL, LC_MESSAGES, LANG that is set."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _early_language(argv: Sequence[str]) -> str:
    """The --lang given anywhere on the command line (so the help can be built in it), else the locale's."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in i18n.STAFF_LANGUAGES:
            return value
    return language_from_environment()


class Refused(Exception):
    """A command refused to act; nothing was written. Carries its message, already in the user's language."""

    def __init__(self, *lines: str):
        super().__init__(lines[0] if lines else "")
        self.lines = lines


# --- output ------------------------------------------------------------------------------------------


def _say(text: str = "") -> None:
    print(text)


def _complain(text: str) -> None:
    print(text, file=sys.stderr)


def _shown_url(url: str) -> str:
    """The database's address with any password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns (the last one is not padded)."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        padded = [c + " " * (w - _width(c)) for c, w in zip(cells[:-1], widths[:-1])] + [cells[-1]]
        return "  ".join(padded).rstrip()

    return [line(headers)] + [line(r) for r in rows]


class Words:
    """How things are named in one language: districts, kinds, roles, sources."""

    def __init__(self, store: Store | None, lang: str):
        self.lang = lang
        self.districts: list[dict] = store.districts()[["code", "name_zh", "name_en", "aliases"]].to_dict("records") if store else []
        self.names = {d["code"]: i18n.district_name(d, lang) for d in self.districts}

    def t(self, key: str, **params: Any) -> str:
        return i18n.t(key, self.lang, **params)

    def district(self, code: str | None) -> str:
        return self.t("upload.citywide") if code is None or is_missing(code) else self.names.get(code, code)

    def role(self, role: str) -> str:
        return self.t(f"role.{role}")

    def district_code(self, text: str) -> str:
        """A district given by code, Chinese or English name, or an alias; refused with the list if unknown."""
        wanted = text.strip().casefold()
        for d in self.districts:
            aliases = [a.strip() for a in str(d.get("aliases") or "").split(";") if a.strip()]
            if wanted in {str(v).casefold() for v in (d["code"], d["name_zh"], d["name_en"], *aliases)}:
                return d["code"]
        raise Refused(self.t("cli.unknown_district", value=text, choices="、".join(self.names.values())
                             if self.lang == "zh" else ", ".join(self.names.values())))

    def params(self, key: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """A problem's params with codes replaced by names (districts, kinds, currencies)."""
        out = pipeline.shown_params(params, self.lang)
        for name in ("district", "own"):
            if isinstance(out.get(name), str) and out[name] in self.names:
                out[name] = self.names[out[name]]
        if isinstance(out.get("kind"), str):
            out["kind"] = i18n.label("kind", out["kind"], self.lang)
        if key == "kind_mismatch" and isinstance(out.get("value"), str):
            out["value"] = i18n.label("kind", out["value"], self.lang)
        return out

    def upload_problem(self, problem) -> str:
        """One line of an import's report: severity, where (file, sheet, row, column), what."""
        where = " ".join(part for part in (
            problem.file, problem.sheet and f"[{problem.sheet}]",
            problem.row and f"{self.t('upload.col.row')} {problem.row}", problem.column and f"«{problem.column}»") if part)
        params = self.params(problem.key, problem.params)
        for key in (f"cli.ingest.{problem.key}", f"ingest.{problem.key}", f"problem.{problem.key}"):
            if i18n.has(key):
                message = self.t(key, **params)
                break
        else:
            message = problem.key
        shown = problem.value
        if problem.field == "district" and shown in self.names:
            shown = self.names[shown]
        elif problem.field in ("kind", "status") and shown:
            shown = i18n.label(problem.field, shown, self.lang)
        value = f" ({shown})" if shown and shown not in message else ""
        return f"{self.t(f'upload.severity.{problem.severity}')}: {where}: {message}{value}"

    def problem(self, problem: Problem) -> str:
        """A refused change's problem: the record, the field's name, what is wrong."""
        field = self.t(f"field.{problem.field}") if i18n.has(f"field.{problem.field}") else ""
        message = self.t(f"problem.{problem.key}", **self.params(problem.key, problem.params))
        return " · ".join(part for part in (problem.record, field) if part) + f": {message}"


# --- accounts: who runs a command, and what access.allowed lets them do ------------------------------------

# Without --user a command runs as the database operator: whoever holds the database address can change
# anything in it anyway, so the command line treats them as an administrator, recorded as `cli`.
OPERATOR_VIEWER = Viewer(username=OPERATOR, role=Role.ADMIN, display_name=OPERATOR)

# What each command asks `access.allowed` for, for the one who runs it. `import` asks EDIT_CARRIERS or
# EDIT_PROJECTS (and staff import only their own district); `rollback` asks `access.may_roll_back`, which
# asks `allowed`; `history` lists only the versions `access.visible_versions` lets the account read.
COMMAND_ACTIONS: dict[str, tuple[Action, ...]] = {
    "init": (Action.MANAGE_SETTINGS,),  # creates or upgrades the database
    "sample": (Action.MANAGE_DISTRICTS,),  # replaces every record and the districts (and, unless told not to, accounts)
    "create-user": (Action.MANAGE_ACCOUNTS,),
    "info": (Action.VIEW_PIPELINE,),  # counts; the projects counted are those the account may read
    "import": (Action.EDIT_CARRIERS, Action.EDIT_PROJECTS),
    "history": (Action.VIEW_HISTORY,),
    "rollback": (Action.EDIT_CARRIERS, Action.EDIT_PROJECTS),
}


def _runner(store: Store, words: Words, username: str | None, action: Action | None, command: str) -> Viewer:
    """Who runs `command`: the account named (--user), else the operator. Refused, nothing written, unless
    `access.allowed` grants them `action`."""
    viewer = OPERATOR_VIEWER if username is None else _account(store, words, username)
    if action is not None and not allowed(viewer, action):
        raise Refused(words.t(f"cli.not_allowed.{command}", user=viewer.username, role=words.role(viewer.role)))
    return viewer


def _account(store: Store, words: Words, username: str) -> Viewer:
    """The viewer for an account of the store, by name (the command line trusts whoever holds the database
    address, as the database does; naming the account applies its role and district)."""
    row = store.user(username.strip())
    if row is None:
        raise Refused(words.t("cli.unknown_user", user=username))
    if not row["active"]:
        raise Refused(words.t("cli.inactive_user", user=username))
    viewer = Viewer(username=row["username"], role=Role(row["role"]), district=row["district"],
                    display_name=row["display_name"] or row["username"])
    audit.set_context(audit.Context(actor=viewer.username, role=viewer.role.value, district=viewer.district,
                                    client=audit.current().client, user_agent=audit.current().user_agent))
    return viewer


def _store() -> Store:
    store = Store()
    store.create_schema()
    return store


# --- commands -------------------------------------------------------------------------------------------


def cmd_init(args) -> int:
    store = _store()
    if args.user is not None:  # a new database has no accounts yet: the operator sets it up
        _runner(store, Words(None, args.lang), args.user, Action.MANAGE_SETTINGS, "init")
    bootstrap.ensure_database(store, sample_if_empty=args.sample)
    _say(i18n.t("cli.database_ready", args.lang, url=_shown_url(store.url), carriers=store.count("carrier"),
                projects=store.count("project")))
    return 0


def cmd_sample(args) -> int:
    store = _store()
    bootstrap.ensure_database(store, sample_if_empty=False)
    words = Words(store, args.lang)
    _runner(store, words, args.user, Action.MANAGE_DISTRICTS, "sample")
    if not args.no_demo_accounts:
        _runner(store, words, args.user, Action.MANAGE_ACCOUNTS, "sample")
    data = bootstrap.load_sample(
        store, args.carriers, args.projects, seed=args.seed, history=not args.no_history, accounts=not args.no_demo_accounts
    )
    _say(i18n.t("cli.sample_loaded", args.lang, url=_shown_url(store.url), carriers=len(data.carriers),
                projects=len(data.projects), versions=len(data.period_ends), date=i18n.fmt_date(data.period_ends[-1], args.lang)))
    if not args.no_demo_accounts:
        _say(i18n.t("cli.demo_accounts", args.lang, password=sample.DEMO_PASSWORD))
    return 0


def cmd_create_user(args) -> int:
    store = _store()
    bootstrap.ensure_database(store, sample_if_empty=False)
    words = Words(store, args.lang)
    _runner(store, words, args.user, Action.MANAGE_ACCOUNTS, "create_user")
    district = words.district_code(args.district) if args.district else None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(words.t("cli.password_prompt"))
        if getpass.getpass(words.t("cli.password_again")) != password:
            raise Refused(words.t("cli.passwords_differ"))
    try:
        auth.create_user(store, args.username, password, args.role, district, args.display_name)
    except auth.AccountError as error:
        raise Refused(words.t("cli.account_refused", reason=words.t(str(error), n=auth.MIN_PASSWORD_LENGTH))) from None
    account = store.user(args.username.strip())
    store.audit("account_create", target=account["username"], target_district=account["district"],
                detail={"role": account["role"], "display_name": account["display_name"]})
    if account["district"]:
        _say(words.t("cli.account_saved_district", username=account["username"], role=words.role(account["role"]),
                     district=words.district(account["district"])))
    else:
        _say(words.t("cli.account_saved", username=account["username"], role=words.role(account["role"])))
    return 0


def cmd_info(args) -> int:
    store = _store()
    words = Words(store, args.lang)
    viewer = _runner(store, words, args.user, None, "info")
    projects = store.count("project") if allowed(viewer, Action.VIEW_PIPELINE) and viewer.district is None \
        else len(access.visible_projects(viewer, store.projects()))  # staff: their own district's
    dataset = store.get_meta("dataset")
    data_date = store.get_meta("data_date")
    _say(words.t("cli.info.database", url=_shown_url(store.url)))
    _say(words.t("cli.info.dataset", dataset=words.t(f"source.{dataset}") if dataset and i18n.has(f"source.{dataset}")
                 else dataset or words.t("cli.info.own_data"), date=i18n.fmt_date(data_date, args.lang) if data_date else "–"))
    _say(words.t("cli.info.counts", districts=len(store.district_codes()), carriers=store.count("carrier"),
                 projects=projects))
    _say(words.t("cli.info.history", versions=len(store.versions()), accounts=len(store.users())))
    return 0


def _read_file(words: Words, name: str) -> tuple[Path, bytes]:
    path = Path(name)
    if path.is_dir():
        raise Refused(words.t("cli.is_a_directory", file=name))
    if not path.exists():
        raise Refused(words.t("cli.no_such_file", file=name))
    try:
        return path, path.read_bytes()
    except OSError as error:
        raise Refused(words.t("cli.unreadable_file", file=name, reason=error.strerror or type(error).__name__)) from None


def cmd_import(args) -> int:
    """Check a file and (unless --dry-run) commit it as one version: the upload page's flow, for bulk loads.
    Carriers of one kind (--kind), or a district's projects (--entity project)."""
    entity = args.entity or "carrier"
    project = entity == "project"
    if project and args.kind is not None:
        raise Refused(i18n.t("cli.kind_not_for_projects", args.lang))
    if not project and args.kind is None:
        kinds = [k.value for k in CarrierKind]
        raise Refused(i18n.t("cli.kind_required", args.lang, choices=_choices("kind", kinds, args.lang)))
    suffix = "_project" if project else ""  # the refusals name projects, not carriers
    store = _store()
    bootstrap.ensure_database(store, sample_if_empty=False)
    words = Words(store, args.lang)
    path, data = _read_file(words, args.file)
    district = words.district_code(args.district) if args.district else None
    author = OPERATOR
    viewer = _runner(store, words, args.user, None, "import")
    if not allowed(viewer, Action.EDIT_PROJECTS if project else Action.EDIT_CARRIERS):
        raise Refused(words.t("cli.import_not_allowed" + suffix, user=viewer.username, role=words.role(viewer.role)))
    if args.user is not None:
        if viewer.role is Role.STAFF:
            if district is not None and district != viewer.district:
                raise Refused(words.t("cli.import_other_district" + suffix, user=viewer.username,
                                      own=words.district(viewer.district), district=words.district(district)))
            district = viewer.district  # as on the page: staff upload for their own district
        author = viewer.username
        _complain(words.t("cli.importing_as", user=viewer.username, role=words.role(viewer.role),
                          district=words.district(viewer.district)) if viewer.district
                  else words.t("cli.importing_as_any", user=viewer.username, role=words.role(viewer.role)))
    def read() -> pipeline.Upload:
        return pipeline.read_upload(data, path.name, kind=args.kind, entity=entity, store=store, district=district,
                                    gcj02=args.gcj02)

    upload = read()
    store.audit("upload", author, target=path.name, target_district=district, detail=pipeline.upload_summary(upload))
    for problem in upload.problems:
        _complain(words.upload_problem(problem))
    if upload.errors or not upload.records:
        _complain(words.t("cli.import_refused", errors=upload.error_count))
        return 1
    if args.replace and district is None:
        in_file = sorted({r.get("district") for r in upload.records if isinstance(r.get("district"), str)})
        if len(in_file) != 1:
            raise Refused(words.t("cli.replace_needs_district" + suffix, districts="、".join(map(words.district, in_file))
                                  if args.lang == "zh" else ", ".join(map(words.district, in_file))))
    diff = pipeline.preview(upload, store, replace=args.replace)
    n = diff.counts
    _say(words.t("cli.import_diff", records=len(upload.records), added=n["add"], changed=n["change"], same=n["same"],
                 removed=n["remove"]))
    if args.dry_run:
        _say(words.t("cli.dry_run"))
        return 0
    first = [upload]  # another writer came first: read again, to compare with the data as it is now
    _, version, applied = pipeline.commit_current(
        lambda: first.pop() if first else read(), store, user=author, note=args.note, replace=args.replace,
        source="cli", on_retry=lambda attempt: _complain(words.t("cli.changed_meanwhile")),
    )
    if version is None:
        _say(words.t("upload.nothing_to_commit"))
    else:
        done = applied.counts
        _say(words.t("cli.committed", version=version, added=done["add"], changed=done["change"], removed=done["remove"]))
    return 0


def _version_cells(words: Words, v: Mapping[str, Any]) -> list[str]:
    note = "" if is_missing(v["note"]) else str(v["note"])
    if not is_missing(v["reverts_version_id"]):
        note = words.t("cli.version_reverts", version=int(v["reverts_version_id"])) + (" · " + note if note else "")
    return [
        str(int(v["id"])), i18n.fmt_datetime(v["created_at"], words.lang), str(v["created_by"]),
        i18n.label("source", v["source"], words.lang), words.t(f"cli.entity.{v['entity']}"), words.district(v["district"]),
        "" if is_missing(v["file_name"]) else str(v["file_name"]),
        f"+{int(v['n_added'])} / ~{int(v['n_changed'])} / −{int(v['n_removed'])}", note,
    ]


def _value_text(words: Words, entity: str, field_name: str, value: Any) -> str:
    spec = (CARRIER_FIELD if entity == "carrier" else PROJECT_FIELD).get(field_name)
    if spec is None:
        return "–" if is_missing(value) else str(value)
    if spec.type is FieldType.GEOMETRY:
        if value is None:
            return "–"
        if value.geom_type == "Point":
            return words.t("cli.geometry.point", lon=f"{value.x:.5f}", lat=f"{value.y:.5f}")
        kind = "line" if "LineString" in value.geom_type else "shape"
        return words.t(f"cli.geometry.{kind}", vertices=len(shapely.get_coordinates(value)))
    return display.value_text(spec, value, words.lang, words.names)


def _field_label(words: Words, field_name: str) -> str:
    return words.t(f"field.{field_name}") if i18n.has(f"field.{field_name}") else field_name


def _change_lines(words: Words, entity: str, changes, stored: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """A version's changes, one line per record and, for a change, one per field. A change holds only its
    fields, so a changed record is named as it is stored now."""
    lines = []
    for change in changes:
        record = change.after if change.op == "add" else change.before if change.op == "remove" else stored.get(change.code)
        name = display.name_of(record, words.lang) if record and record.get("name") else ""
        lines.append(f"{words.t(f'op.{change.op}')}  {change.code}" + (f"  {name}" if name else ""))
        if change.op == "change":
            for field_name in change.fields:
                before = _value_text(words, entity, field_name, (change.before or {}).get(field_name))
                after = _value_text(words, entity, field_name, (change.after or {}).get(field_name))
                lines.append(f"    {_field_label(words, field_name)}：{before} → {after}" if words.lang == "zh"
                             else f"    {_field_label(words, field_name)}: {before} → {after}")
    return lines


def _visible_versions(viewer: Viewer, versions: pd.DataFrame) -> pd.DataFrame:
    """The versions (of either entity) whose changes the viewer may read, as the upload page's history shows
    them (access.visible_versions), in their order."""
    keep = set().union(*(access.visible_versions(viewer, entity, versions[versions["entity"] == entity]).index
                         for entity in ENTITIES))
    return versions[versions.index.isin(keep)]


def cmd_history(args) -> int:
    store = _store()
    words = Words(store, args.lang)
    viewer = _runner(store, words, args.user, Action.VIEW_HISTORY, "history")
    if args.version is not None:
        visible = set(_visible_versions(viewer, store.versions())["id"].astype(int))
        if store.version(args.version) is not None and args.version not in visible:
            raise Refused(words.t("cli.version_not_visible", version=args.version, user=viewer.username,
                                  role=words.role(viewer.role)))
        return _show_version(store, words, args.version, args.limit)
    versions = _visible_versions(viewer, store.versions(args.entity))
    if args.district:
        versions = versions[versions["district"] == words.district_code(args.district)]
    if versions.empty:
        _say(words.t("cli.history_none"))
        return 0
    limit = args.limit or HISTORY_LIMIT
    shown = versions.head(limit)
    headers = [words.t(f"upload.col.{c}") for c in ("version", "when", "who", "source")] + [words.t("cli.col.entity")] + \
        [words.t(f"upload.col.{c}") for c in ("district", "file", "counts", "note")]
    for line in _table(headers, [_version_cells(words, v) for _, v in shown.iterrows()]):
        _say(line)
    if len(versions) > limit:
        _say(words.t("cli.history_more", n=len(versions) - limit))
    return 0


def _show_version(store: Store, words: Words, version_id: int, limit: int | None) -> int:
    v = store.version(version_id)
    if v is None:
        raise Refused(words.t("cli.unknown_version", version=version_id))
    cells = _version_cells(words, v)
    _say(words.t("cli.version_head", version=version_id, when=cells[1], who=cells[2], source=cells[3], entity=cells[4],
                 district=cells[5]))
    if cells[6]:
        _say(words.t("cli.version_file", file=cells[6], hash=(v["file_hash"] or "–")[:12]))
    _say(words.t("cli.version_counts", added=v["n_added"], changed=v["n_changed"], removed=v["n_removed"]))
    if cells[8]:
        _say(words.t("cli.version_note", note=cells[8]))
    changes = store.version_changes(version_id)
    stored = store.stored_records(v["entity"], [c.code for c in changes if c.op == "change"])
    lines = _change_lines(words, v["entity"], changes, stored)
    if not lines:
        _say(words.t("cli.version_no_changes"))
    _say()
    for line in lines[:limit] if limit else lines:
        _say(line)
    if limit and len(lines) > limit:
        _say(words.t("cli.changes_more", n=len(lines) - limit))
    return 0


CHANGED_LATER_SHOWN = 50  # Store.rollback names at most this many records


def cmd_rollback(args) -> int:
    store = _store()
    words = Words(store, args.lang)
    version = store.version(args.version)
    if version is None:
        raise Refused(words.t("cli.unknown_version", version=args.version))
    viewer = _account(store, words, args.user)
    district = None if is_missing(version["district"]) else version["district"]
    if not may_roll_back(viewer, version["entity"], district):
        if viewer.role is Role.STAFF and district is None:
            raise Refused(words.t("cli.rollback_citywide", version=args.version, user=viewer.username,
                                  own=words.district(viewer.district)))
        if viewer.role is Role.STAFF:
            raise Refused(words.t("cli.rollback_not_allowed_district", version=args.version, district=words.district(district),
                                  user=viewer.username, own=words.district(viewer.district)))
        raise Refused(words.t("cli.rollback_not_allowed_role", user=viewer.username, role=words.role(viewer.role),
                              version=args.version))
    try:
        new = store.rollback(args.version, user=viewer.username, note=args.note)
    except ValidationError as error:
        raise Refused(words.t("cli.rollback_refused", version=args.version), *_refusal_lines(words, error.problems)) from None
    if new is None:
        _say(words.t("cli.rollback_nothing", version=args.version))
        return 0
    made = store.version(new)
    _say(words.t("cli.rolled_back", version=args.version, new=new, added=made["n_added"], changed=made["n_changed"],
                 removed=made["n_removed"]))
    return 0


def _refusal_lines(words: Words, problems: Sequence[Problem]) -> list[str]:
    """Problems of a refused change, one line each; records changed later are listed by the later version."""
    later: dict[int, list[str]] = {}
    lines = []
    for problem in problems:
        if problem.key == "changed_later":
            later.setdefault(int(problem.params["version"]), []).append(str(problem.params["code"]))
        else:
            lines.append("  " + words.problem(problem))
    separator = "、" if words.lang == "zh" else ", "
    for later_id, codes in sorted(later.items()):
        lines.append("  " + words.t("cli.changed_later", n=len(codes), later=later_id, codes=separator.join(codes)))
    if sum(map(len, later.values())) >= CHANGED_LATER_SHOWN:
        lines.append("  " + words.t("cli.changed_later_capped", n=CHANGED_LATER_SHOWN))
    return lines


# --- the parser, in the user's language -------------------------------------------------------------------


_ARGPARSE_ERRORS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"the following arguments are required: (?P<names>.+)"), "cli.argparse.required"),
    (re.compile(r"argument (?P<argument>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"),
     "cli.argparse.invalid_choice"),
    (re.compile(r"argument (?P<argument>\S+): invalid \S+ value: (?P<value>.+)"), "cli.argparse.invalid_value"),
    (re.compile(r"argument (?P<argument>\S+): expected one argument"), "cli.argparse.expected_one"),
    (re.compile(r"unrecognized arguments: (?P<names>.+)"), "cli.argparse.unrecognized"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)"), "cli.argparse.ambiguous"),
    (re.compile(r"argument (?P<argument>\S+): (?P<message>.+)"), "cli.argparse.argument"),  # our own types' messages
]


def _argparse_message(message: str, lang: str) -> str:
    """argparse's own error sentences (English only) in the language."""
    for pattern, key in _ARGPARSE_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            return i18n.t(key, lang, **found.groupdict())
    return message


class _Parser(argparse.ArgumentParser):
    """An argument parser that speaks the chosen language: headings, the -h option, errors."""

    def __init__(self, *args, lang: str, **kwargs):
        def formatter(prog):
            return _Formatter(prog, lang=lang)

        super().__init__(*args, add_help=False, formatter_class=formatter, **kwargs)
        self.lang = lang
        self._positionals.title = i18n.t("cli.help.positionals", lang)
        self._optionals.title = i18n.t("cli.help.options", lang)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=i18n.t("cli.help.help", lang))

    def format_help(self) -> str:
        text = super().format_help()
        if self.lang == "zh":  # argparse ends headings with an ASCII colon
            for key in ("positionals", "options", "commands"):
                heading = i18n.t(f"cli.help.{key}", self.lang)
                text = text.replace(f"\n{heading}:\n", f"\n{heading}：\n")
        return text

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(REFUSED, i18n.t("cli.usage_error", self.lang, prog=self.prog, message=_argparse_message(message, self.lang)) + "\n")


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog, *, lang: str):
        super().__init__(prog, max_help_position=32)
        self.lang = lang

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix if prefix is not None else i18n.t("cli.help.usage", self.lang))


def _named(vocabulary: str, values: Sequence[str], lang: str, key: Callable[[str], str] | None = None):
    """An argparse type accepting a value by code or by its name in either language (厂房 or plant)."""
    key = key or (lambda v: f"{vocabulary}.{v}")

    def convert(text: str) -> str:
        wanted = text.strip().casefold()
        for value in values:
            if wanted in {value.casefold(), *(i18n.t(key(value), other).casefold() for other in i18n.LANGUAGES)}:
                return value
        raise argparse.ArgumentTypeError(i18n.t("cli.argparse.unknown_name", lang, value=text, choices=_choices(vocabulary, values, lang, key)))

    convert.__name__ = vocabulary
    return convert


def _choices(vocabulary: str, values: Sequence[str], lang: str, key: Callable[[str], str] | None = None) -> str:
    """Values as one types them, each with its name: `plant（厂房）` / `plant (plant building)`."""
    key = key or (lambda v: f"{vocabulary}.{v}")
    if lang == "zh":
        return "、".join(f"{v}（{i18n.t(key(v), lang)}）" for v in values)
    return ", ".join(f"{v} ({i18n.t(key(v), lang).lower()})" for v in values)


def _positive(lang: str):
    def convert(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(i18n.t("cli.argparse.not_a_number", lang, value=text)) from None
        if number <= 0:
            raise argparse.ArgumentTypeError(i18n.t("cli.argparse.not_positive", lang, value=text))
        return number

    convert.__name__ = "number"
    return convert


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    lang = i18n.normalize_language(lang or language_from_environment())
    h = lambda key, **params: i18n.t(f"cli.help.{key}", lang, **params)  # noqa: E731
    number = _positive(lang)
    parser = _Parser(prog="python -m heatmap", description=h("description"), lang=lang)
    parser.add_argument("--lang", choices=list(i18n.STAFF_LANGUAGES), default=lang, help=h("lang"))
    sub = parser.add_subparsers(dest="command", required=True, title=h("commands"), metavar="COMMAND", parser_class=_Parser)

    def command(name: str, func, help_key: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=h(help_key), description=h(help_key), lang=lang)
        p.add_argument("--lang", choices=list(i18n.STAFF_LANGUAGES), default=argparse.SUPPRESS, help=h("lang"))
        p.set_defaults(func=func)
        return p

    def account(p: argparse.ArgumentParser) -> None:  # whose role and district decide (access.allowed)
        p.add_argument("--user", metavar="USERNAME", help=h("user"))

    p = command("init", cmd_init, "init")
    p.add_argument("--sample", dest="sample", action="store_true", default=True, help=h("init_sample"))
    p.add_argument("--no-sample", dest="sample", action="store_false", help=h("init_no_sample"))
    account(p)

    p = command("sample", cmd_sample, "sample")
    p.add_argument("--carriers", type=number, default=1500, metavar="N", help=h("sample_carriers"))
    p.add_argument("--projects", type=number, default=300, metavar="N", help=h("sample_projects"))
    p.add_argument("--seed", type=int, default=sample.SEED, help=h("sample_seed"))
    p.add_argument("--no-history", action="store_true", help=h("sample_no_history"))
    p.add_argument("--no-demo-accounts", action="store_true", help=h("sample_no_demo_accounts"))
    account(p)

    roles = [r.value for r in Role if r is not Role.PUBLIC]
    p = command("create-user", cmd_create_user, "create_user")
    p.add_argument("username", help=h("username"))
    p.add_argument("--role", type=_named("role", roles, lang), required=True, metavar="ROLE",
                   help=h("role", choices=_choices("role", roles, lang)))
    p.add_argument("--district", help=h("user_district"))
    p.add_argument("--display-name", help=h("display_name"))
    p.add_argument("--password-stdin", action="store_true", help=h("password_stdin"))
    account(p)

    kinds = [k.value for k in CarrierKind]
    p = command("import", cmd_import, "import")
    p.add_argument("file", help=h("import_file"))
    p.add_argument("--kind", type=_named("kind", kinds, lang), metavar="KIND",
                   help=h("kind", choices=_choices("kind", kinds, lang)))
    p.add_argument("--entity", type=_named("entity", ENTITIES, lang, key=lambda v: f"cli.entity.{v}"), metavar="ENTITY",
                   help=h("import_entity", choices=_choices("entity", ENTITIES, lang, key=lambda v: f"cli.entity.{v}")))
    p.add_argument("--district", help=h("import_district"))
    p.add_argument("--replace", action="store_true", help=h("replace"))
    p.add_argument("--gcj02", action="store_true", help=h("gcj02"))
    p.add_argument("--dry-run", action="store_true", help=h("dry_run"))
    p.add_argument("--user", metavar="USERNAME", help=h("import_user"))
    p.add_argument("--note", help=h("note"))

    p = command("history", cmd_history, "history")
    p.add_argument("version", nargs="?", type=number, metavar="VERSION", help=h("history_version"))
    p.add_argument("--entity", type=_named("entity", ENTITIES, lang, key=lambda v: f"cli.entity.{v}"), metavar="ENTITY",
                   help=h("entity"))
    p.add_argument("--district", help=h("history_district"))
    p.add_argument("--limit", type=number, metavar="N", help=h("limit"))
    account(p)

    p = command("rollback", cmd_rollback, "rollback")
    p.add_argument("version", type=number, metavar="VERSION", help=h("rollback_version"))
    p.add_argument("--user", required=True, metavar="USERNAME", help=h("rollback_user"))
    p.add_argument("--note", help=h("rollback_note"))

    p = command("info", cmd_info, "info")
    account(p)
    return parser


# --- running -------------------------------------------------------------------------------------------


def _busy_errors() -> tuple[type[BaseException], ...]:
    """The store's own "busy" exception, where the store has one (sqlalchemy's OperationalError is the fallback)."""
    return tuple(e for e in (getattr(store_module, "StoreBusy", None),) if isinstance(e, type))


def _conflict_errors() -> tuple[type[BaseException], ...]:
    return tuple(e for e in (getattr(store_module, "Conflict", None),) if isinstance(e, type))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _early_language(argv)
    args = build_parser(lang).parse_args(argv)
    words = Words(None, args.lang)
    try:
        with audit.acting(audit.Context(actor=OPERATOR, client=audit.CLI_CLIENT, user_agent=_user_agent(argv))):
            return args.func(args)
    except Refused as refusal:
        for line in refusal.lines:
            _complain(line)
        return REFUSED
    except _busy_errors():
        _complain(words.t("cli.db_busy", url=_shown_url(_database_url())))
        return BUSY
    except _conflict_errors():
        _complain(words.t("cli.db_conflict"))
        return BUSY
    except ValidationError as error:
        _complain(words.t("cli.refused"))
        for line in _refusal_lines(_words_with_names(args.lang), error.problems):
            _complain(line)
        return REFUSED
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError):
        _complain(words.t("cli.bad_database_url", url=_shown_url(_database_url())))
        return REFUSED
    except sa.exc.OperationalError as error:  # the last resort: a lock held too long, a server not answering
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        if reason and ("locked" in reason[0] or "busy" in reason[0]):
            _complain(words.t("cli.db_busy", url=_shown_url(_database_url())))
        else:
            _complain(words.t("cli.db_unavailable", url=_shown_url(_database_url())))
            if reason:
                _complain(words.t("cli.db_reply", reason=reason[0]))
        return BUSY


def _user_agent(argv: Sequence[str]) -> str:
    """The audit trail's "user agent" of a command: the command (its first word) and who ran it where."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        who = str(os.getuid()) if hasattr(os, "getuid") else "?"
    command = next((a for a in argv if not a.startswith("-") and a not in i18n.LANGUAGES), "")
    return f"python -m heatmap {command} ({who}@{socket.gethostname()})".replace("  ", " ")


def _database_url() -> str:
    from heatmap import config

    return config.database_url()


def _words_with_names(lang: str) -> Words:
    """Words that know the districts' names, to name them in a refusal (without, if the store cannot say)."""
    try:
        return Words(Store(), lang)
    except Exception:  # noqa: BLE001 - names are a nicety here: a second failure must not hide the first
        return Words(None, lang)
