"""The project library (项目库) and the pipeline's stored records: labels and messages."""

CATALOG = {
    "nav.projects": ("项目库", "Projects"),
    "projects.title": ("项目库", "Project pipeline"),
    "projects.caption": (
        "本区镇的在谈、签约、落户项目：列表、单个项目的记录与推进历程、新增或修改。项目信息保密，仅限有权限的工作人员查看。",
        "The district's projects under negotiation, signed and settled: the list, one project's record and progress, "
        "and a form to add or edit one. Project information is confidential and shown only to authorised staff.",
    ),
    "projects.not_allowed": ("项目信息保密：请工作人员登录后查看。", "Project information is confidential: staff sign in to see it."),
    "projects.read_only": ("您可以查看项目，但无权新增或修改。", "You may read the projects but not add or edit them."),
    "projects.tab.list": ("项目列表", "List"),
    "projects.tab.record": ("项目记录", "Record"),
    "projects.tab.form": ("新增 / 修改", "Add / edit"),
    "projects.none": ("暂无项目。", "No projects yet."),
    "projects.count": ("共 {n} 个项目", "{n} projects"),
    "projects.pick": ("选择项目", "Project"),
    "projects.events": ("推进历程", "Progress"),
    "projects.history": ("修改历史", "Change history"),
    "projects.edit_pick": ("要修改的项目", "Project to edit"),
    "projects.new": ("（新增项目）", "(a new project)"),
    "projects.stage_on": ("进入当前阶段的日期", "Date the project reached its stage"),
    "projects.stage_note": ("阶段变化说明（可选）", "Note on the stage change (optional)"),
    "projects.save": ("保存", "Save"),
    "projects.saved": ("项目 {code} 已保存为版本 {version}。", "Project {code} saved as version {version}."),
    "projects.unchanged": ("与已存数据相同：没有需要保存的修改。", "Nothing differs from the stored record: nothing to save."),
    "projects.changed_meanwhile": (
        "您打开表单后，他人已修改此项目：未保存任何内容。下面的表单已显示最新数据，请核对后重新保存。",
        "Someone else changed this project after you opened the form: nothing was saved. The form below now shows "
        "the project as it is; check it and save again.",
    ),
    "projects.col.last_progress": ("最近进展", "Last progress"),
    "projects.col.investment": ("投资额", "Investment"),
    "projects.col.field": ("字段", "Field"),
    "projects.col.value": ("内容", "Value"),
    "projects.col.on": ("日期", "Date"),
    "projects.col.reason": ("原因", "Reason"),
    "projects.col.note": ("说明", "Note"),
    "projects.col.recorded_by": ("记录人", "Recorded by"),
    "projects.col.recorded_at": ("记录时间", "Recorded at"),
    "nav.reports": ("每两月上报", "Reports"),
    "reports.title": ("每两月上报", "Bi-monthly reports"),
    "reports.caption": (
        "各区镇每两月上报在谈、签约、落户项目：报表按当前项目库自动生成，只需核对变动后提交；提交后可更正，更正也会留档。",
        "Every two months each district reports its projects under negotiation, signed and settled: the report is "
        "filled from the project library, so only the changes need checking before submitting; a submitted report "
        "can be corrected, and the correction is kept too.",
    ),
    "reports.period": ("报告期", "Reporting period"),
    "reports.due": ("截止 {due}", "due {due}"),
    "reports.status": ("各区镇报送情况", "Who has reported"),
    "reports.to_confirm": ("{district}本期报表：请核对变动", "{district}'s report: check what changed"),
    "reports.note": ("说明（可选）", "Note (optional)"),
    "reports.submit": ("提交{period}报表", "Submit the report for {period}"),
    "reports.correct": ("提交{period}报表的更正", "Submit a correction of the report for {period}"),
    "reports.submitted": ("已提交 {period} 报表（{n} 个项目）。", "The report for {period} was submitted ({n} projects)."),
    "reports.changed_meanwhile": (
        "本期报表刚刚已由他人提交或更正：未保存任何内容。请查看上面的最新情况后再提交更正。",
        "The report for this period was just submitted or corrected by someone else: nothing was saved. Look at the "
        "latest state above, then submit a correction.",
    ),
    "reports.reminder": ("{period}报表：{status}。请在“每两月上报”页提交。", "Report for {period}: {status}. Submit it on the Reports page."),
    "reports.city": ("全市本期报表", "The city's report for the period"),
    "reports.changes": ("与上期相比", "Since the previous report"),
    "reports.download": ("下载报表（Excel）", "Download the report (Excel)"),
    "reports.col.status": ("与上期相比", "Since the last report"),
    "reports.col.changes": ("变动内容", "What changed"),
    "problem.unknown_project": ("项目 {code} 不存在", "there is no project {code}"),
    "problem.project_not_yours": ("无权修改{district}的项目", "you may not edit projects of {district}"),
    "problem.project_code_exists": ("项目编号 {code} 已存在：请修改该项目或换一个编号", "the project code {code} exists already: edit that project or choose another code"),
    "problem.not_allowed": ("不允许的取值：{value}", "a value that is not allowed: {value}"),
    "problem.report_changed_meanwhile": (
        "{district} 本期（{period}）的报表刚刚已由他人提交或更正：未保存任何内容，请查看最新报表后再提交更正",
        "the report of {district} for {period} was just submitted or corrected by someone else: nothing was saved; "
        "look at the latest report, then submit a correction",
    ),
    "problem.report_corrects_nothing": ("{district} 本期（{period}）尚未提交报表，无可更正", "{district} has no report for {period} yet: there is nothing to correct"),
    "problem.rules_changed_meanwhile": (
        "规则“{name}”已被他人保存为新版本：未保存任何内容，请在最新版本上重新修改",
        "the rules “{name}” were saved as a newer version by someone else: nothing was saved; edit the newest version again",
    ),
    "problem.ledger_changed_meanwhile": (
        "首报登记簿刚刚有了新的登记：未保存任何内容，请刷新后重新登记（{code}）",
        "the first-report ledger received another entry just now: nothing was saved; refresh and register again ({code})",
    ),
    "problem.unknown_report": ("报表 {report} 不存在", "there is no report {report}"),
}
