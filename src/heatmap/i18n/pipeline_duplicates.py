"""Duplicate matching of pipeline projects (同一项目推荐给多个区镇): reasons, notices, decisions, rule checks.

Params named `district` hold a district code: the page renders it with the district's name.
"""

CATALOG = {
    # why a pair is (or is not) a likely match
    "duplicates.reason.credit_code_equal": ("投资方统一社会信用代码相同", "Same unified social credit code of the investor"),
    "duplicates.reason.investor_similar": ("投资方名称相近（{score}分）", "Investor names similar (score {score})"),
    "duplicates.reason.project_similar": ("项目名称相近（{score}分）", "Project names similar (score {score})"),
    "duplicates.reason.sector_amount_close": (
        "行业相同，投资额相差不超过{tolerance}%", "Same sector, amounts within {tolerance}%",
    ),
    "duplicates.reason.place_differs": (
        "名称中的地名不同（{places}与{other_places}），扣分", "The names name different places ({places}, {other_places}): points off",
    ),
    "duplicates.reason.scripts_differ": (
        "投资方名称一为中文、一为外文，无法按名称比较", "One investor name is in Chinese, the other in Latin script: names not compared",
    ),
    "duplicates.reason.credit_code_differs": (
        "统一社会信用代码不同：不是同一投资方", "Different unified social credit codes: not the same investor",
    ),
    "duplicates.reason.investor_differs": (
        "投资方名称不同（{score}分），仅项目名称相近不足以认定", "Investor names differ (score {score}): similar project names alone are not enough",
    ),
    "duplicates.reason.same_record": ("同一条记录（{code}）", "The same record ({code})"),
    "duplicates.reason.same_district": ("同一区镇的项目不作重复提示", "Projects of the same district are not raised"),
    "duplicates.reason.decided": ("招商局已就这两条记录作出认定", "The investment office has already decided on this pair"),
    "duplicates.reason.below_threshold": (
        "相似度{score}分，低于提示线{threshold}分", "Similarity {score}, below the threshold of {threshold}",
    ),
    # the credit code
    "duplicates.credit_code.valid": ("统一社会信用代码 {value} 有效", "Unified social credit code {value} is valid"),
    "duplicates.credit_code.missing": ("未填统一社会信用代码", "No unified social credit code given"),
    "duplicates.credit_code.length": (
        "统一社会信用代码 {value} 应为18位，实为{length}位", "Unified social credit code {value} should have 18 characters, it has {length}",
    ),
    "duplicates.credit_code.bad_char": (
        "统一社会信用代码 {value} 第{position}位“{char}”不是代码字符（不含 I、O、S、V、Z）",
        "Unified social credit code {value}: character {position} '{char}' is not allowed (no I, O, S, V, Z)",
    ),
    "duplicates.credit_code.check_char": (
        "统一社会信用代码 {value} 校验位应为“{expected}”，实为“{found}”：请核对",
        "Unified social credit code {value}: the check character should be '{expected}', it is '{found}': please check the code",
    ),
    # what a district is told
    "duplicates.notice.none": ("未发现其他区镇有疑似相同的项目", "No likely match in another district"),
    "duplicates.notice.elsewhere": (
        "其他区镇可能已登记同一项目（疑似{count}条）。招商局将统筹核实，结果会通知您。",
        "Another district may already hold this project ({count} likely match(es)). The investment office will check and let you know.",
    ),
    # decisions
    "duplicates.decision.same": (
        "认定为同一项目：由 {district} 承接（保留 {code}，{other} 并入）",
        "Same project: hosted by {district} ({code} kept, {other} merged into it)",
    ),
    "duplicates.decision.first_contact": ("首谈地为 {district}，保留首谈功劳", "First contact credited to {district}"),
    "duplicates.decision.earlier_registration": (
        "首报以较早的登记为准（{code}，{date}）", "The earlier registration counts as the first report ({code}, {date})",
    ),
    "duplicates.decision.different": ("认定为不同项目，今后不再提示", "Different projects: the pair will not be raised again"),
    "duplicates.decision.not_a_pair": ("认定须针对两条记录（实为{count}条）", "A decision concerns two records ({count} given)"),
    "duplicates.decision.unknown_record": ("找不到记录 {code}", "Record {code} not found"),
    "duplicates.decision.bad_outcome": ("认定结果“{value}”无效：应为同一项目或不同项目", "Outcome '{value}' is not valid: same or different"),
    "duplicates.decision.no_decider": ("未记录认定人", "Who decided is not recorded"),
    "duplicates.decision.hosting_not_in_pair": (
        "承接区镇 {district} 不是这两条记录所在的区镇", "Hosting district {district} is not the district of either record",
    ),
    "duplicates.decision.first_contact_not_in_pair": (
        "首谈地 {district} 与这两条记录无关", "First-contact district {district} is not one of the pair's districts",
    ),
    # rule checks (administrators)
    "duplicates.rules.not_a_mapping": ("查重规则应为键值表", "The matching rules must be a table of names and values"),
    "duplicates.rules.unknown": ("未知的查重规则项“{name}”", "Unknown matching rule '{name}'"),
    "duplicates.rules.missing": ("缺少查重规则项“{name}”", "Matching rule '{name}' is missing"),
    "duplicates.rules.not_a_number": ("查重规则“{name}”应为数字，实为“{value}”", "Matching rule '{name}' must be a number, it is '{value}'"),
    "duplicates.rules.out_of_range": (
        "查重规则“{name}”为{value}，应在{minimum}至{maximum}之间", "Matching rule '{name}' is {value}; it must be between {minimum} and {maximum}",
    ),
    "duplicates.rules.not_a_bool": ("查重规则“{name}”应为是或否，实为“{value}”", "Matching rule '{name}' must be yes or no, it is '{value}'"),
    "duplicates.rules.not_a_list": ("查重规则“{name}”应为非空文字的列表", "Matching rule '{name}' must be a list of non-empty words"),
    "duplicates.rules.not_places": (
        "查重规则“{name}”应为地名及其外文拼写的列表", "Matching rule '{name}' must list place names with their Latin spellings",
    ),
    "duplicates.rules.floor_above_threshold": (
        "列为理由的最低分（{floor}）不应高于提示线（{threshold}）",
        "The lowest score listed as a reason ({floor}) must not be above the threshold ({threshold})",
    ),
}
