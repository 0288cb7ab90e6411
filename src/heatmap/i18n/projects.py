"""The project library (项目库) and the pipeline's stored records: labels and messages."""

CATALOG = {
    "projects.grade_from_evaluation": (
        "评级由“项目评价”得出：区镇提出、招商局确认后写入，此处不可修改。",
        "The grade comes from pre-evaluation: proposed by the district, written once the office confirms it; it "
        "cannot be typed here.",
    ),
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
    "projects.col.actual_investment": ("实际投资（落户后）", "Actual investment (once settled)"),
    "projects.col.valid_lead": ("有效项目信息", "Valid lead"),
    "projects.lead.yes": ("是", "Yes"),
    "projects.lead.no": ("否", "No"),
    "projects.lead.missing": ("待补充", "Facts missing"),
    "projects.lead.title": ("有效项目信息：{verdict}", "Valid lead: {verdict}"),
    "projects.lead.rules": (
        "按现行规则判定（投资额门槛、有投资计划书或可研、已与决策层洽谈）；“待补充”表示还缺少判定所需的信息。",
        "Judged by the rules in force (amount threshold, investment plan or feasibility study, decision-level talks); "
        "“facts missing” means a fact the test needs is not known yet.",
    ),
    "projects.fact.yes": ("是", "Yes"),
    "projects.fact.no": ("否", "No"),
    "projects.fact.unknown": ("不详", "Not known"),
    "projects.form.lead_facts": ("有效项目信息的依据", "Facts of the valid-lead test"),
    "projects.form.actual_investment_wan": ("实际投资（万，项目落户后填写）", "Actual investment (10k; fill in once settled)"),
    "projects.form.actual_investment_help": (
        "项目注册落户后实际形成的固定资产投资，单位为上面所选币种的万元；项目尚未落户时请留空。信息首报奖按此计算。",
        "The fixed-asset investment actually formed once the project has settled, in 10k of the currency above; "
        "leave it empty while the project has not settled. The first-report award is computed from it.",
    ),
    "projects.upload_notice": ("项目 {code}：{notice}", "Project {code}: {notice}"),
    "projects.upload_notices": ("疑似与其他区镇重复的项目：{n} 个", "Projects that may be held by another district too: {n}"),
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
    "nav.duplicates": ("统一窗口", "One window"),
    "dup.title": ("统一窗口：疑似同一项目", "One window: likely the same project"),
    "dup.caption": (
        "不同区镇登记的疑似同一项目，双方记录完整显示，由招商局认定：是同一项目（确定承接区镇，另一方保留首谈功劳），或是不同项目。已认定的不再提示。",
        "Records of different districts that are likely one project, both in full, for the investment office to "
        "decide: the same project (one hosting district; the other keeps its first-contact credit) or different "
        "projects. A decided pair is not raised again.",
    ),
    "dup.queue": ("待认定：{n} 对", "To decide: {n} pairs"),
    "dup.none": ("目前没有疑似重复的项目。", "No likely duplicates at present."),
    "dup.score": ("相似度 {score}", "similarity {score}"),
    "dup.outcome": ("认定", "Decision"),
    "dup.outcome.same": ("同一项目", "The same project"),
    "dup.outcome.different": ("不同项目", "Different projects"),
    "dup.hosting": ("承接区镇（同一项目时）", "Hosting district (if the same project)"),
    "dup.note": ("说明（可选）", "Note (optional)"),
    "dup.decide": ("确认认定", "Record the decision"),
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
