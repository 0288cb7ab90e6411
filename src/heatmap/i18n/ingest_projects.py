"""Strings of the project upload (heatmap.ingest for entity "project"): amounts and their currencies,
countries, credit codes, the project template and the command line's project import."""

CATALOG: dict[str, tuple[str, str]] = {
    # --- problems with one cell (heatmap.ingest.values) ---
    "ingest.not_an_amount": (
        "“{value}” 不是金额（可写作 {examples}）",
        "“{value}” is not an amount (write e.g. {examples})",
    ),
    "ingest.unknown_amount_unit": (
        "“{value}” 中的“{unit}”无法识别为金额单位（可写作 {examples}）",
        "“{unit}” in “{value}” is not a unit of money (write e.g. {examples})",
    ),
    "ingest.amount_two_currencies": (
        "“{value}” 写了两种币种（{currencies}）：请只写一种，折算金额请另列",
        "“{value}” names two currencies ({currencies}): write one; put a converted amount in a column of its own",
    ),
    "ingest.amount_currency_differs_from_header": (
        "“{value}” 的币种（{currency}）与表头注明的币种（{header_currency}）不同：请改为一致",
        "“{value}” is in {currency}, but the column's header says {header_currency}: make them agree",
    ),
    "ingest.amount_currency_conflict": (
        "金额写明的币种（{currency}）与“{column}”列的币种（{column_currency}）不一致：请改为一致",
        "the amount is written in {currency}, but the column “{column}” says {column_currency}: make them agree",
    ),
    "ingest.amount_looks_like_yuan": (
        "“{value}” 按万计为 {yi} 亿：如填写的是元，请写明单位（如“5亿元”“50000万元”），或在表头注明（元）",
        "“{value}” read in 万 (10k) is {yi} 亿 (100 million): if it is in yuan, write the unit (e.g. “5亿元”) or "
        "put (元) in the header",
    ),
    "ingest.unknown_country": (
        "“{value}” 不是可识别的国别：请写国家名称（如 德国、Germany）或两位字母代码（如 DE）",
        "“{value}” is not a country the importer knows: write its name (e.g. 德国, Germany) or its two-letter code (e.g. DE)",
    ),
    "ingest.credit_code_malformed": (
        "“{value}” 不是统一社会信用代码（18 位数字或大写字母，不含 I、O、Z、S、V）",
        "“{value}” is not a unified social credit code (18 digits or capital letters, without I, O, Z, S, V)",
    ),
    "ingest.credit_code_check_failed": (
        "“{value}” 的校验位不符：统一社会信用代码可能抄错了，请核对",
        "the check character of “{value}” does not match: the unified social credit code is probably mistyped",
    ),
    # --- whole-file checks of the pipeline, for a file of projects ---
    "ingest.column_ignored_grade": (
        "评级列 “{column}” 已忽略：项目评级只在“项目评价”页由区镇提出、招商局确认，上传不改变已确认的评级（新项目暂无评级）。",
        "The grade column “{column}” is ignored: a project's grade is proposed by its district and confirmed by the "
        "investment office on the Grading page only; an upload keeps the confirmed grade (a new project has none yet).",
    ),
    "cli.ingest.column_ignored_grade": (
        "评级列 “{column}” 已忽略：项目评级由区镇在网页“项目评价”中提出、招商局确认，导入不改变已确认的评级（新项目暂无评级）。",
        "The grade column “{column}” is ignored: a project's grade is proposed by its district and confirmed by the "
        "investment office in the app's grading; an import keeps the confirmed grade (a new project has none yet).",
    ),
    "ingest.no_known_columns_project": (
        "文件中没有可识别的项目列（如 项目编号、项目名称、投资方）。请使用项目模板，或为各列指定字段。",
        "The file has no column the importer recognises for projects (such as code, project name, investor). Use the "
        "project template or map the columns.",
    ),
    "cli.ingest.no_known_columns_project": (
        "文件中没有可识别的项目列（如 项目编号、项目名称、投资方）。请使用项目模板中的列名。",
        "The file has no column the importer recognises for projects (such as code, project name, investor). Use the "
        "project template's column names.",
    ),
    "ingest.other_district_project": (
        "该行属于其他区镇（{district}），您只能上传本区镇（{own}）的项目；首谈地可以是其他区镇。",
        "This row belongs to another district ({district}); you may upload only your own district's ({own}) projects "
        "(the origin district may be another one).",
    ),
    "problem.replace_needs_one_district_project": (
        "“替换”方式要求文件只包含一个区镇的项目。",
        "“Replace” needs a file with the projects of one district only.",
    ),
    # --- the project template (heatmap.ingest.template, entity "project") ---
    "ingest.template_intro_project": (
        "请在“项目 Projects”工作表中每行填写一个项目；第一行为表头，请勿修改或删除（可删除不需要的选填列）。示例行可删除。标 * 的列为必填。"
        "项目信息保密，仅本区镇、招商局和领导可见。",
        "Fill in one project per row of the sheet “项目 Projects”. Its first row is the header: keep it (optional columns "
        "you do not need may be deleted). The example row may be deleted. Columns marked * are required. Project "
        "records are confidential: only the district, the investment office and leaders see them.",
    ),
    "ingest.template_amounts_project": (
        "金额：投资额按“万”计，币种写在“币种”列，也可直接写作 5亿元、3000万元、3,000万美元、USD 30 million、2000万欧元；"
        "表头注明单位（如“投资额（亿元）”）时可只填数字。金额与币种列须一致。位置（经度/纬度）可不填，不填时地图显示在区镇驻地。",
        "Amounts: the investment is in 万 (10k) of the currency in the column “币种 Currency”; it may also be written "
        "as 5亿元, 3000万元, 3,000万美元, USD 30 million or 2000万欧元, and a header with its unit (e.g. “投资额（亿元）”) "
        "takes bare numbers. The amount and the currency column must agree. The location (longitude/latitude) may "
        "stay empty: the map then shows the project at the district's seat.",
    ),
    "ingest.template_help_amount": (
        "{meaning}：数字，单位为“币种”列币种的万元（留空币种为人民币）；也可写 {examples}",
        "{meaning}: a number in 万 (10k) of the currency in the currency column (CNY if empty); also accepted: {examples}",
    ),
    "ingest.template_help_country": (
        "{meaning}：国家名称（如 德国、中国、Germany）或两位字母代码（如 DE、CN）",
        "{meaning}: the country's name (e.g. 德国, 中国, Germany) or its two-letter code (e.g. DE, CN)",
    ),
    "ingest.template_help_credit_code": (
        "{meaning}：18 位统一社会信用代码（已知时填写，用于识别同一投资方）",
        "{meaning}: the 18-character unified social credit code (where known: it identifies the same investor)",
    ),
    "ingest.template_help_lead_fact": (
        "{meaning}：是 / 否；不清楚时留空（留空为“不详”，该项目的有效项目信息显示为“待补充”，不会当作“否”）",
        "{meaning}: yes / no; leave it empty when not known (empty means “not known”: the project's valid-lead test "
        "then shows “facts missing”, never “no”)",
    ),
    "ingest.template_help_actual_investment": (
        "{meaning}：项目落户（注册）后实际形成的固定资产投资，数字，单位为“币种”列币种的万元；尚未落户的项目留空。信息首报奖按此计算",
        "{meaning}: the fixed-asset investment actually formed once the project has settled (registered), a number in "
        "万 (10k) of the currency in the currency column; leave it empty for a project not yet settled. The "
        "first-report award is computed from it",
    ),
    "ingest.template_help_confidential": (
        "{meaning}：是 / 否（留空为保密）",
        "{meaning}: yes / no (empty means confidential)",
    ),
    "ingest.template_header_lon_project": ("经度（可不填）", "Longitude (optional)"),
    # --- the command line: `python -m heatmap import FILE --entity project` ---
    "cli.help.import_entity": (
        "文件中记录的种类：{choices}（默认为载体，需给出 --kind；项目不需要 --kind）",
        "what the file's records are: {choices} (carriers unless said, which need --kind; projects need none)",
    ),
    "cli.kind_required": (
        "导入载体需要 --kind（{choices}）。导入项目请用 --entity project。未写入任何数据。",
        "importing carriers needs --kind ({choices}). To import projects, use --entity project. Nothing was written.",
    ),
    "cli.kind_not_for_projects": (
        "项目没有载体类型：导入项目时请不要给出 --kind。未写入任何数据。",
        "projects have no carrier kind: leave out --kind when importing projects. Nothing was written.",
    ),
    "cli.import_not_allowed_project": (
        "{user}（{role}）无权修改项目数据，未写入任何数据。",
        "{user} ({role}) may not change project data. Nothing was written.",
    ),
    "cli.import_other_district_project": (
        "{user} 是{own}的工作人员，只能导入本区镇的项目，不能导入{district}的项目。未写入任何数据。",
        "{user} is district staff of {own} and may import only its projects, not those of {district}. Nothing was written.",
    ),
    "cli.replace_needs_district_project": (
        "--replace 需要一个区镇，而文件包含多个区镇的项目（{districts}）。请用 --district 指定区镇，或按区镇拆分文件。未写入任何数据。",
        "--replace needs one district, but the file holds projects of several ({districts}). Name one with --district, "
        "or split the file by district. Nothing was written.",
    ),
}
