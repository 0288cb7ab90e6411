"""Strings of the command line (`python -m heatmap …`): help, results and refusals.

The command line has its own wording where the page's would point at things a terminal does not have
(buttons, "above", ticking an option): `cli.ingest.<key>` replaces `ingest.<key>` there.
"""

CATALOG: dict[str, tuple[str, str]] = {
    # --- argparse's own words, and its errors ---
    "cli.help.usage": ("用法：", "usage: "),
    "cli.help.commands": ("命令", "commands"),
    "cli.help.positionals": ("参数", "arguments"),
    "cli.help.options": ("选项", "options"),
    "cli.help.help": ("显示本帮助并退出", "show this help and exit"),
    "cli.help.lang": (
        "提示和帮助的语言：zh（中文）或 en（英文）。默认取自环境的区域设置（LC_ALL、LC_MESSAGES、LANG 以 zh 开头为中文，否则英文）",
        "language of messages and help: zh (Chinese) or en (English). Default: from the locale (LC_ALL, LC_MESSAGES, "
        "LANG starting with zh means Chinese, anything else English)",
    ),
    "cli.usage_error": ("{prog}：错误：{message}", "{prog}: error: {message}"),
    "cli.argparse.required": ("缺少必需的参数：{names}", "the following arguments are required: {names}"),
    "cli.argparse.invalid_choice": (
        "参数 {argument}：无效的选项 {value}（可选：{choices}）", "argument {argument}: invalid choice: {value} (choose from {choices})"
    ),
    "cli.argparse.invalid_value": ("参数 {argument}：无效的值 {value}", "argument {argument}: invalid value: {value}"),
    "cli.argparse.expected_one": ("参数 {argument}：需要一个值", "argument {argument}: expected one value"),
    "cli.argparse.unrecognized": ("无法识别的参数：{names}", "unrecognized arguments: {names}"),
    "cli.argparse.ambiguous": ("选项 {option} 不明确，可能是：{matches}", "ambiguous option: {option} could match {matches}"),
    "cli.argparse.argument": ("参数 {argument}：{message}", "argument {argument}: {message}"),
    "cli.argparse.not_a_number": ("“{value}” 不是整数", "“{value}” is not a whole number"),
    "cli.argparse.not_positive": ("须为正整数，而不是 {value}", "must be a positive whole number, not {value}"),
    "cli.argparse.unknown_name": ("“{value}” 不是可选值之一：{choices}", "“{value}” is not one of: {choices}"),
    # --- the commands and their options ---
    "cli.help.description": (
        "太仓投资热力图：数据库、样例数据、账号、导入、版本历史与回退。数据库为 HEATMAP_DATABASE_URL，未设置时为 data/ 下的 SQLite 文件。",
        "Taicang Investment Heat Map: database, sample data, accounts, imports, history and rollback. The database is "
        "HEATMAP_DATABASE_URL, or else the SQLite file in data/.",
    ),
    "cli.help.init": ("创建数据库（及区镇参考数据）", "create the database (and the reference districts) if missing"),
    "cli.help.init_sample": ("新建的空数据库填入样例数据（默认）", "fill a new, empty database with the sample (the default)"),
    "cli.help.init_no_sample": ("新建的数据库保持为空", "leave a new database empty"),
    "cli.help.sample": ("用生成的样例数据替换全部载体和项目", "replace all carriers and projects with the generated sample"),
    "cli.help.sample_carriers": ("载体数量（默认 1500）", "how many carriers (default 1500)"),
    "cli.help.sample_projects": ("项目数量（默认 300）", "how many projects (default 300)"),
    "cli.help.sample_seed": ("随机种子（相同种子生成相同数据）", "random seed (the same seed makes the same data)"),
    "cli.help.sample_no_history": ("只写入当前状态，不生成历史版本（较快，用于性能测试）", "only the current state, no history (fast; for benchmarks)"),
    "cli.help.sample_no_demo_accounts": ("不创建演示账号", "create no demo accounts"),
    "cli.help.create_user": ("创建或替换本地账号（包括第一个管理员）", "create or replace a local account (the first administrator too)"),
    "cli.help.username": ("用户名", "the username"),
    "cli.help.role": ("角色：{choices}", "role: {choices}"),
    "cli.help.user_district": ("区镇（区镇招商人员必填），名称或代码", "the district (required for staff), by name or code"),
    "cli.help.display_name": ("显示名称", "the name shown in the app"),
    "cli.help.password_stdin": ("从标准输入读取密码", "read the password from standard input"),
    "cli.help.info": ("数据库中有什么", "what the database holds"),
    "cli.help.import": ("检查载体或项目文件，并作为一个新版本一次性提交（全部成功或全部不写）",
                        "check a file of carriers or projects and commit it as one new version (all or nothing)"),
    "cli.help.import_file": ("Excel（xlsx、xls）、ODS、CSV、GeoJSON、GeoPackage、压缩的 Shapefile、KML 或 KMZ 文件",
                             "an Excel (xlsx, xls), ODS, CSV, GeoJSON, GeoPackage, zipped Shapefile, KML or KMZ file"),
    "cli.help.kind": ("文件中载体的类型：{choices}", "the kind of carriers the file holds: {choices}"),
    "cli.help.import_district": (
        "文件所属区镇（名称或代码）：其他区镇的行会被拒绝。默认：文件可包含任何区镇（同管理员）",
        "the district the file is for (name or code): rows of any other district are refused. Default: any district, "
        "as for an administrator",
    ),
    "cli.help.replace": ("删除该区镇中文件未列出的同类载体（需要一个区镇）",
                         "remove the district's carriers of this kind that the file does not list (needs one district)"),
    "cli.help.gcj02": ("坐标取自高德/腾讯地图（GCJ-02），转换为 WGS-84", "the coordinates come from AMap/Tencent (GCJ-02): convert them to WGS-84"),
    "cli.help.dry_run": ("只检查和比对，不写入", "check and compare only; write nothing"),
    "cli.help.import_user": (
        "以该账号导入：按其角色和区镇检查权限，并记为提交人（默认：数据库操作员，记为 cli，可导入任何区镇）",
        "import as this account: its role and district decide what it may change, and it is recorded as the author "
        "(default: the database operator, recorded as cli, for any district)",
    ),
    "cli.help.note": ("与版本一起保存的备注", "a note kept with the version"),
    "cli.help.history": ("列出版本；给出版本号时显示该版本逐字段的修改", "list the versions; with a version number, what it changed field by field"),
    "cli.help.history_version": ("要查看的版本号", "the version to show"),
    "cli.help.entity": ("只列出 载体（carrier）或 项目（project）的版本", "only versions of carriers (carrier) or projects (project)"),
    "cli.help.history_district": ("只列出该区镇的版本（名称或代码）", "only versions of this district (name or code)"),
    "cli.help.limit": ("最多显示多少行（版本列表默认 20）", "show at most this many lines (the version list: 20 by default)"),
    "cli.help.rollback": ("回退一个版本：生成一个撤销其修改的新版本", "undo one version, as a new version that reverses its changes"),
    "cli.help.rollback_version": ("要回退的版本号", "the version to undo"),
    "cli.help.user": (
        "以该账号执行：按其角色和区镇检查权限（与网页相同）。默认：数据库操作员，视同管理员，记为 cli",
        "run as this account: its role and district decide what the command may do (as on the pages). Default: the "
        "database operator, who counts as an administrator, recorded as cli",
    ),
    "cli.help.rollback_user": (
        "执行回退的账号：与网页相同，区镇招商人员只能回退本区镇的版本，全市版本只有管理员可以回退",
        "the account that rolls back: as on the page, district staff may undo only their own district's versions, "
        "and only administrators city-wide ones",
    ),
    "cli.help.rollback_note": ("回退原因（与新版本一起保存）", "why (kept with the new version)"),
    # --- results ---
    "cli.database_ready": ("数据库已就绪：{url}（载体 {carriers} 个，项目 {projects} 个）",
                           "database ready: {url} ({carriers} carriers, {projects} projects)"),
    "cli.sample_loaded": (
        "样例数据已写入 {url}：载体 {carriers} 个，项目 {projects} 个，{versions} 个双月版本，截至 {date}",
        "sample loaded into {url}: {carriers} carriers, {projects} projects, {versions} bi-monthly versions up to {date}",
    ),
    "cli.demo_accounts": (
        "演示账号：leader，以及 staff-<区镇代码>（如 staff-liuhe）；密码 {password}",
        "demo accounts: leader, and staff-<district code> (e.g. staff-liuhe); password {password}",
    ),
    "cli.password_prompt": ("密码：", "password: "),
    "cli.password_again": ("再次输入：", "again: "),
    "cli.passwords_differ": ("两次输入的密码不一致，账号未保存。", "the passwords differ; the account was not saved."),
    "cli.account_refused": ("账号未保存：{reason}", "the account was not saved: {reason}"),
    "cli.account_saved": ("账号 {username}（{role}）已保存", "account {username} ({role}) saved"),
    "cli.account_saved_district": ("账号 {username}（{role}，{district}）已保存", "account {username} ({role}, {district}) saved"),
    "cli.info.database": ("数据库：{url}", "database: {url}"),
    "cli.info.dataset": ("数据集：{dataset}；数据日期：{date}", "dataset: {dataset}; data date: {date}"),
    "cli.info.own_data": ("自有数据", "own data"),
    "cli.info.counts": ("区镇：{districts}；载体：{carriers}；项目：{projects}", "districts: {districts}; carriers: {carriers}; projects: {projects}"),
    "cli.info.history": ("版本：{versions}；账号：{accounts}", "versions: {versions}; accounts: {accounts}"),
    "cli.committed": ("已提交为版本 {version}：新增 {added}，修改 {changed}，删除 {removed}。",
                      "committed as version {version}: {added} added, {changed} changed, {removed} removed."),
    "cli.importing_as": ("以 {user}（{role}，{district}）的身份导入", "importing as {user} ({role}, {district})"),
    "cli.importing_as_any": ("以 {user}（{role}）的身份导入，可导入任何区镇", "importing as {user} ({role}), for any district"),
    "cli.entity.carrier": ("载体", "carriers"),
    "cli.entity.project": ("项目", "projects"),
    "cli.col.entity": ("数据", "Data"),
    "cli.history_none": ("没有符合条件的版本。", "No versions match."),
    "cli.history_more": ("……另有 {n} 个较早的版本（用 --limit 显示更多）", "… and {n} older version(s) (show more with --limit)"),
    "cli.version_head": ("版本 {version} · {when} · {who} · {source} · {entity} · {district}",
                         "version {version} · {when} · {who} · {source} · {entity} · {district}"),
    "cli.version_file": ("文件：{file}（SHA-256 {hash}）", "file: {file} (SHA-256 {hash})"),
    "cli.version_note": ("备注：{note}", "note: {note}"),
    "cli.version_counts": ("新增 {added}，修改 {changed}，删除 {removed}", "{added} added, {changed} changed, {removed} removed"),
    "cli.version_reverts": ("回退版本 {version}", "rolls back version {version}"),
    "cli.version_no_changes": ("该版本没有记录任何修改。", "This version recorded no changes."),
    "cli.changes_more": ("……另有 {n} 行未显示（去掉 --limit 显示全部）", "… and {n} more line(s) (leave out --limit to see all)"),
    "cli.geometry.point": ("点（经度 {lon}，纬度 {lat}）", "point (lon {lon}, lat {lat})"),
    "cli.geometry.shape": ("面（{vertices} 个顶点）", "area ({vertices} vertices)"),
    "cli.geometry.line": ("线（{vertices} 个顶点）", "line ({vertices} vertices)"),
    "cli.rolled_back": ("已回退版本 {version}，生成新版本 {new}：新增 {added}，修改 {changed}，删除 {removed}。",
                        "version {version} was rolled back as new version {new}: {added} added, {changed} changed, {removed} removed."),
    "cli.rollback_nothing": ("版本 {version} 的修改已不存在，无需回退，未写入任何数据。",
                             "Nothing of version {version} is left to undo; nothing was written."),
    # --- refusals ---
    "cli.is_a_directory": ("{file} 是一个文件夹，不是文件。请给出要导入的文件（Shapefile 请先压缩成 .zip）。",
                           "{file} is a folder, not a file. Name the file to import (zip a Shapefile's files first)."),
    "cli.unreadable_file": ("无法读取文件 {file}（{reason}）。未写入任何数据。", "cannot read the file {file} ({reason}); nothing was written."),
    "cli.unknown_district": ("未知区镇 “{value}”。可选：{choices}", "unknown district “{value}”. Known districts: {choices}"),
    "cli.unknown_user": ("数据库中没有账号 “{user}”。请用 create-user 创建，或检查拼写。",
                         "there is no account “{user}” in the database. Create it with create-user, or check the spelling."),
    "cli.inactive_user": ("账号 “{user}” 已停用。", "the account “{user}” is deactivated."),
    "cli.import_not_allowed": ("{user}（{role}）无权修改载体数据，未写入任何数据。",
                               "{user} ({role}) may not change carrier data; nothing was written."),
    "cli.import_other_district": (
        "{user} 是 {own} 的区镇招商人员，只能导入本区镇的载体，不能导入 {district} 的。未写入任何数据。",
        "{user} is district staff of {own} and may import only its carriers, not those of {district}. Nothing was written.",
    ),
    "cli.replace_needs_district": (
        "--replace 需要一个区镇，而文件包含多个区镇的载体（{districts}）。请用 --district 指定区镇，或按区镇拆分文件。未写入任何数据。",
        "--replace needs one district, but the file holds carriers of several ({districts}). Name one with --district, "
        "or split the file by district. Nothing was written.",
    ),
    "cli.not_allowed.init": ("{user}（{role}）无权建立或升级数据库，只有管理员可以。", "{user} ({role}) may not set up or upgrade the database; only an administrator may."),
    "cli.not_allowed.sample": (
        "{user}（{role}）无权载入样例数据：样例会替换全部载体、项目和区镇（以及演示账号），只有管理员可以。未写入任何数据。",
        "{user} ({role}) may not load the sample: it replaces every carrier, project and district (and the demo "
        "accounts), which only an administrator may do. Nothing was written.",
    ),
    "cli.not_allowed.create_user": ("{user}（{role}）无权管理账号，只有管理员可以。账号未保存。",
                                    "{user} ({role}) may not manage accounts; only an administrator may. The account was not saved."),
    "cli.not_allowed.history": ("{user}（{role}）无权查看变更历史。", "{user} ({role}) may not read the history of changes."),
    "cli.version_not_visible": (
        "{user}（{role}）无权查看版本 {version}：与上传页的历史相同，只列出该账号可修改的数据的版本，区镇招商人员只列本区镇的（载体另含全市版本）。",
        "{user} ({role}) may not read version {version}: as in the upload page's history, an account reads the versions "
        "of data it may change, district staff only their own district's (and city-wide carrier versions).",
    ),
    "cli.refused": ("已拒绝，未写入任何数据：", "refused; nothing was written:"),
    "cli.unknown_version": ("版本 {version} 不存在（用 history 查看有哪些版本）。", "version {version} does not exist (history lists the versions)."),
    "cli.rollback_not_allowed_role": ("{user}（{role}）无权修改数据，不能回退版本 {version}。",
                                      "{user} ({role}) may not change data, so cannot roll back version {version}."),
    "cli.rollback_not_allowed_district": (
        "版本 {version} 属于 {district}；{user} 是 {own} 的区镇招商人员，只能回退本区镇的版本。全市或其他区镇的版本由管理员回退。",
        "version {version} is for {district}; {user} is district staff of {own} and may roll back only that district's "
        "versions. City-wide and other districts' versions are rolled back by an administrator.",
    ),
    "cli.rollback_citywide": (
        "版本 {version} 是全市版本，只有管理员可以回退（{user} 是 {own} 的区镇招商人员）。",
        "version {version} is city-wide: only an administrator may roll it back ({user} is district staff of {own}).",
    ),
    "cli.rollback_refused": ("无法回退版本 {version}，未写入任何数据：", "cannot roll back version {version}; nothing was written:"),
    "cli.changed_later": (
        "以下 {n} 条记录在之后的版本 {later} 中又被修改：{codes}。请先回退版本 {later}。",
        "{n} record(s) were changed again in the later version {later}: {codes}. Roll back version {later} first.",
    ),
    "cli.changed_later_capped": ("（最多列出 {n} 条）", "(at most {n} listed)"),
    "cli.db_busy": (
        "数据库 {url} 正被其他写入占用（例如另一个导入），等待超时。未写入任何数据，请稍后重试。",
        "the database {url} is busy with another writer (another import, for example) and the wait ran out. Nothing "
        "was written; try again shortly.",
    ),
    "cli.db_conflict": (
        "导入期间数据被他人修改，未写入任何数据。请重新运行，结果会基于最新数据。",
        "the data changed while this import ran; nothing was written. Run it again to compare with the current data.",
    ),
    "cli.db_unavailable": ("无法使用数据库 {url}：数据库忙碌或无法连接。", "cannot use the database {url}: it is busy or unreachable."),
    "cli.db_reply": ("数据库的回复：{reason}", "the database said: {reason}"),
    "cli.bad_database_url": ("数据库地址无效：{url}（请检查 HEATMAP_DATABASE_URL）。", "the database address is not valid: {url} (check HEATMAP_DATABASE_URL)."),
    # --- the page's wording, said for a terminal ---
    "cli.ingest.column_not_recognised": (
        "未识别的列 “{column}”，已忽略。请按模板改列名（在网页上为该列指定字段后，命令行导入也会沿用）。",
        "The column “{column}” was not recognised and is ignored. Rename it as in the template (a mapping chosen once on "
        "the upload page is used here too).",
    ),
    "cli.ingest.no_known_columns": (
        "文件中没有可识别的载体列（如 编号、名称、面积）。请使用模板中的列名。",
        "The file has no column the importer recognises (such as code, name, area). Use the template's column names.",
    ),
    "cli.ingest.crs_assumed_wgs84": (
        "文件未注明坐标系，已按 WGS-84 经纬度读取。如果坐标取自高德或腾讯地图（GCJ-02），请加上 --gcj02 重新导入。",
        "The file declares no coordinate system; the coordinates were taken as WGS-84 degrees. If they come from "
        "AMap/Gaode or Tencent maps (GCJ-02), import again with --gcj02.",
    ),
}
