"""`python -m heatmap …`: set up the database, load the sample, manage accounts.

The database is the one the app uses: HEATMAP_DATABASE_URL, or the embedded SQLite file in data/.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from heatmap import auth, bootstrap, i18n, sample
from heatmap.ingest import pipeline
from heatmap.access import Role
from heatmap.model import ValidationError
from heatmap.store import Store


def _store() -> Store:
    store = Store()
    store.create_schema()
    return store


def cmd_init(args) -> int:
    store = _store()
    bootstrap.ensure_database(store, sample_if_empty=args.sample)
    print(f"database ready: {store.url} ({store.count('carrier')} carriers, {store.count('project')} projects)")
    return 0


def cmd_sample(args) -> int:
    store = _store()
    bootstrap.ensure_database(store, sample_if_empty=False)
    data = bootstrap.load_sample(
        store, args.carriers, args.projects, seed=args.seed, history=not args.no_history, accounts=not args.no_demo_accounts
    )
    print(
        f"sample loaded into {store.url}: {len(data.carriers)} carriers, {len(data.projects)} projects, "
        f"{len(data.period_ends)} bi-monthly versions up to {data.period_ends[-1]}"
    )
    if not args.no_demo_accounts:
        print(f"demo accounts: leader, staff-<district code>; password {sample.DEMO_PASSWORD!r}")
    return 0


def cmd_create_user(args) -> int:
    store = _store()
    bootstrap.ensure_database(store, sample_if_empty=False)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 2
    try:
        auth.create_user(store, args.username, password, args.role, args.district, args.display_name)
    except auth.AccountError as error:
        print(i18n.t(str(error), "en"), file=sys.stderr)
        return 2
    print(f"account {args.username!r} ({args.role}{', ' + args.district if args.district else ''}) saved")
    return 0


def cmd_info(args) -> int:
    store = _store()
    print(f"database: {store.url}")
    print(f"dataset: {store.get_meta('dataset') or 'own data'}; data date: {store.get_meta('data_date') or '–'}")
    print(f"districts: {len(store.district_codes())}; carriers: {store.count('carrier')}; projects: {store.count('project')}")
    print(f"versions: {len(store.versions())}; accounts: {len(store.users())}")
    return 0


def cmd_import(args) -> int:
    """Check a file and (unless --dry-run) commit it as one version: the upload page's flow, for bulk loads."""
    store = _store()
    bootstrap.ensure_database(store, sample_if_empty=False)
    path = Path(args.file)
    if not path.is_file():
        print(i18n.t("cli.no_such_file", args.lang, file=args.file), file=sys.stderr)
        return 2
    if args.district and args.district not in store.district_codes():
        print(i18n.t("problem.unknown_district", args.lang, value=args.district), file=sys.stderr)
        return 2
    upload = pipeline.read_upload(path.read_bytes(), path.name, kind=args.kind, store=store, district=args.district,
                                  gcj02=args.gcj02)
    for problem in upload.problems:
        where = " ".join(part for part in (
            problem.file, problem.sheet and f"[{problem.sheet}]", problem.row and f"{i18n.t('upload.col.row', args.lang)} {problem.row}",
            problem.column and f"«{problem.column}»") if part)
        severity = i18n.t(f"upload.severity.{problem.severity}", args.lang)
        print(f"{severity}: {where}: {pipeline.problem_message(problem, args.lang)}", file=sys.stderr)
    if upload.errors or not upload.records:
        print(i18n.t("cli.import_refused", args.lang, errors=len(upload.errors)), file=sys.stderr)
        return 1
    diff = pipeline.preview(upload, store, replace=args.replace)
    n = diff.counts
    print(i18n.t("cli.import_diff", args.lang, records=len(upload.records), added=n["add"], changed=n["change"],
                 same=n["same"], removed=n["remove"]))
    if args.dry_run:
        print(i18n.t("cli.dry_run", args.lang))
        return 0
    data = path.read_bytes()

    def read_again() -> pipeline.Upload:  # another writer came first: compare with the data as it is now
        return pipeline.read_upload(data, path.name, kind=args.kind, store=store, district=args.district,
                                    gcj02=args.gcj02)

    first = [upload]
    try:
        _, version, applied = pipeline.commit_current(
            lambda: first.pop() if first else read_again(), store, user=args.user, note=args.note,
            replace=args.replace, source="cli",
            on_retry=lambda attempt: print(i18n.t("cli.changed_meanwhile", args.lang), file=sys.stderr),
        )
    except ValidationError as error:
        for problem in error.problems[:50]:
            print(i18n.problem_text(problem, args.lang), file=sys.stderr)
        return 1
    if version is None:
        print(i18n.t("upload.nothing_to_commit", args.lang))
    else:
        done = applied.counts
        print(i18n.t("upload.committed", args.lang, version=version, added=done["add"], changed=done["change"],
                     removed=done["remove"]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m heatmap", description="Taicang investment heat map: data and accounts")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create the database (and reference districts) if missing")
    p.add_argument("--sample", action=argparse.BooleanOptionalAction, default=True,
                   help="fill a new, empty database with the sample (default: yes)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("sample", help="replace all carriers and projects with the generated sample")
    p.add_argument("--carriers", type=int, default=1500)
    p.add_argument("--projects", type=int, default=300)
    p.add_argument("--seed", type=int, default=sample.SEED)
    p.add_argument("--no-history", action="store_true", help="only the current state (fast; for benchmarks)")
    p.add_argument("--no-demo-accounts", action="store_true")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("create-user", help="create or replace a local account (the first administrator too)")
    p.add_argument("username")
    p.add_argument("--role", choices=[r.value for r in Role if r is not Role.PUBLIC], required=True)
    p.add_argument("--district", help="district code, for staff")
    p.add_argument("--display-name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("import", help="check a carrier file and commit it as one new version (all or nothing)")
    p.add_argument("file", help="xlsx, xls, ods, csv, geojson, gpkg, zipped shapefile, kml or kmz")
    p.add_argument("--kind", required=True, choices=list(pipeline.kinds()), help="the kind of carriers the file holds")
    p.add_argument("--district", help="the district the file is for: rows of any other district are refused "
                                      "(default: the file may hold any district, as for an administrator)")
    p.add_argument("--replace", action="store_true",
                   help="remove the district's carriers of this kind that the file does not list (needs one district)")
    p.add_argument("--gcj02", action="store_true", help="coordinates come from AMap (GCJ-02): convert them to WGS-84")
    p.add_argument("--dry-run", action="store_true", help="check and compare only; write nothing")
    p.add_argument("--user", default="cli", help="who the new version is recorded as (default: cli)")
    p.add_argument("--note", help="a note kept with the version")
    p.add_argument("--lang", choices=list(i18n.LANGUAGES), default="zh", help="language of messages (default: zh)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("info", help="what the database holds")
    p.set_defaults(func=cmd_info)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
