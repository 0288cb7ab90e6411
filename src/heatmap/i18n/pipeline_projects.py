"""Projects in the pipeline (heatmap.pipeline.projects): stage events, stalled projects, code names, views."""

CATALOG = {
    # fields of a stage event
    "field.stage_on": ("阶段日期", "Date of the stage"),
    "field.stage_reason": ("搁置/放弃原因", "Reason (on hold / dropped)"),
    "field.stage_note": ("说明", "Note"),
    "field.recorded_by": ("记录人", "Recorded by"),
    # what is wrong with a stage event
    "problem.stage_event_other_project": ("阶段记录属于其他项目（{code}）", "the stage history holds events of another project ({code})"),
    "problem.stage_event_unknown_stage": ("“{value}”不是推进阶段", "“{value}” is not a pipeline stage"),
    "problem.stage_event_no_date": ("“{value}”不是日期", "“{value}” is not a date"),
    "problem.stage_event_no_recorder": ("缺少记录人", "who recorded it is missing"),
    "problem.stage_event_in_future": ("日期 {on} 晚于今天（{today}）", "the date {on} is after today ({today})"),
    "problem.stage_event_before_last": (
        "日期 {on} 早于上一条阶段记录（{last}，{stage}）：阶段记录按时间先后登记",
        "the date {on} is before the last stage event ({last}, {stage}): stage events are recorded in the order they happen",
    ),
    "problem.stage_event_first_not_progress": (
        "项目的第一条阶段记录不能是“{stage}”：请先登记项目所处的推进阶段",
        "a project's first stage event cannot be “{stage}”: record the stage it is at first",
    ),
    "problem.stage_event_unchanged": ("项目已处于“{stage}”阶段，无需重复登记", "the project is already at “{stage}”"),
    "problem.stage_event_hold_after_drop": (
        "已放弃的项目不能搁置：如项目重新启动，请登记其推进阶段并说明",
        "a dropped project cannot be put on hold: if it is taken up again, record its stage with a note",
    ),
    "problem.stage_event_reopen_needs_note": (
        "项目已放弃；重新启动至“{stage}”须填写说明",
        "the project was dropped; taking it up again at “{stage}” needs a note saying why",
    ),
    "problem.stage_event_back_needs_note": (
        "从“{current}”退回“{stage}”属于更正，须填写说明",
        "going back from “{current}” to “{stage}” is a correction and needs a note saying why",
    ),
    "problem.stage_event_resume_elsewhere": (
        "搁置的项目恢复时回到搁置前的“{before}”阶段，不能直接到“{stage}”：请先登记恢复，再登记新的进展",
        "a project on hold resumes at the stage it had before (“{before}”), not at “{stage}”: record the resumption first, then the progress",
    ),
    "problem.stage_event_reason_not_used": (
        "原因只用于搁置和放弃，“{stage}”不需要原因（已忽略）",
        "a reason goes with on hold and dropped only; “{stage}” does not use it",
    ),
    "problem.stage_event_reason_required": ("“{stage}”须选择原因", "“{stage}” needs a reason"),
    "problem.stage_event_unknown_reason": ("“{value}”不是可选原因（可选：{choices}）", "“{value}” is not one of the reasons ({choices})"),
    "problem.stage_event_reason_needs_text": ("原因为“{reason}”时须填写具体说明", "the reason “{reason}” needs a note saying what"),
    # reasons for on hold / dropped
    "pipeline_projects.stop_reason.investor_withdrew": ("投资方撤回", "Investor withdrew"),
    "pipeline_projects.stop_reason.no_site": ("无合适载体或用地", "No suitable site"),
    "pipeline_projects.stop_reason.policy": ("政策原因", "Policy"),
    "pipeline_projects.stop_reason.moved_city": ("落户其他城市", "Moved to another city"),
    "pipeline_projects.stop_reason.other": ("其他", "Other"),
    # kinds of step in a project's history
    "pipeline_projects.step.first": ("首次登记", "First recorded"),
    "pipeline_projects.step.forward": ("推进", "Advanced"),
    "pipeline_projects.step.back": ("更正（退回）", "Correction (back)"),
    "pipeline_projects.step.hold": ("搁置", "Put on hold"),
    "pipeline_projects.step.resume": ("恢复推进", "Resumed"),
    "pipeline_projects.step.drop": ("放弃", "Dropped"),
    "pipeline_projects.step.reopen": ("重新启动", "Taken up again"),
    # columns of a project's history
    "pipeline_projects.col.project_code": ("项目编号", "Project code"),
    "pipeline_projects.col.stage": ("阶段", "Stage"),
    "pipeline_projects.col.step": ("变动", "Step"),
    "pipeline_projects.col.on": ("起始日期", "From"),
    "pipeline_projects.col.until": ("截止日期", "Until"),
    "pipeline_projects.col.days": ("天数", "Days"),
    "pipeline_projects.col.reason": ("原因", "Reason"),
    "pipeline_projects.col.note": ("说明", "Note"),
    "pipeline_projects.col.recorded_by": ("记录人", "Recorded by"),
    "pipeline_projects.col.recorded_at": ("记录时间", "Recorded at"),
    # stalled or not
    "pipeline_projects.stalled.no_events": ("尚无阶段记录", "no stage recorded yet"),
    "pipeline_projects.stalled.arrived": ("已投产", "in production"),
    "pipeline_projects.stalled.on_hold": ("自 {since} 起搁置", "on hold since {since}"),
    "pipeline_projects.stalled.dropped": ("已于 {since} 放弃", "dropped on {since}"),
    "pipeline_projects.stalled.periods": (
        "停滞：自 {since} 起已连续 {periods} 个上报周期无进展（仍处于“{stage}”）",
        "stalled: no progress since {since}, {periods} reporting periods in a row (still at “{stage}”)",
    ),
    "pipeline_projects.stalled.days": (
        "停滞：自 {since} 起 {days} 天无进展（仍处于“{stage}”）",
        "stalled: no progress for {days} days, since {since} (still at “{stage}”)",
    ),
    "pipeline_projects.stalled.moving": (
        "正常推进：最近一次进展在 {since}（{days} 天前，“{stage}”）",
        "moving: last progress on {since} ({days} days ago, “{stage}”)",
    ),
    # code names
    "pipeline_projects.code_name.hint_chars": ("代号含有{field}中的字：{chars}", "the code name holds characters of “{field}”: {chars}"),
    "pipeline_projects.code_name.hint_letters": ("代号含有{field}中的字母：{letters}", "the code name holds letters of “{field}”: {letters}"),
    # who sees what on shared surfaces
    "pipeline_projects.view.office": ("招商局（领导小组办公室）统筹各区镇项目，可见完整信息", "the investment office coordinates every district's projects and sees them in full"),
    "pipeline_projects.view.admin": ("管理员可见完整信息", "administrators see projects in full"),
    "pipeline_projects.view.leader": ("领导在共享界面上以项目代号查看项目", "leaders see projects by code name on shared surfaces"),
    "pipeline_projects.view.staff_own": ("本区镇项目离开本区镇时以代号显示", "the district's own project, shown by code name once it leaves the district"),
    "pipeline_projects.view.other_district": ("其他区镇的项目不可见", "another district's project is not shown"),
    "pipeline_projects.view.public": ("项目信息保密，公众不可见", "project records are confidential: the public sees none"),
    "pipeline_projects.view.no_code_name": ("项目尚无代号，不在共享界面上显示", "the project has no code name yet and is not shown on shared surfaces"),
}
