"""Messages for what is wrong with a record: they name the record and field; params fill the details."""

CATALOG = {
    "problem.required": ("必填项为空", "is required but empty"),
    "problem.not_a_number": ("“{value}” 不是数字", "“{value}” is not a number"),
    "problem.not_an_integer": ("{value} 不是整数", "{value} is not a whole number"),
    "problem.negative": ("不能为负数（{value}）", "must not be negative ({value})"),
    "problem.too_small": ("{value} 小于最小值 {minimum}", "{value} is below the minimum {minimum}"),
    "problem.too_large": ("{value} 超过上限 {maximum}", "{value} is above the limit {maximum}"),
    "problem.not_text": ("“{value}” 不是文本", "“{value}” is not text"),
    "problem.too_long": ("长度 {length} 超过上限 {maximum}", "is {length} characters long; the limit is {maximum}"),
    "problem.unknown_district": ("未知区镇 “{value}”", "unknown district “{value}”"),
    "problem.code_whitespace": ("编号 “{value}” 不能包含空格", "the code “{value}” must not contain spaces"),
    "problem.not_a_choice": ("“{value}” 不在可选值中（{choices}）", "“{value}” is not one of: {choices}"),
    "problem.not_a_list": ("“{value}” 不是列表", "“{value}” is not a list"),
    "problem.not_a_bool": ("“{value}” 不是“是/否”", "“{value}” is not yes/no"),
    "problem.not_a_date": ("“{value}” 不是日期", "“{value}” is not a date"),
    "problem.date_in_future": ("日期 {value} 在未来", "the date {value} is in the future"),
    "problem.not_a_geometry": ("“{value}” 不是几何图形", "“{value}” is not a geometry"),
    "problem.empty_geometry": ("几何图形为空", "the geometry is empty"),
    "problem.invalid_geometry": ("几何图形无效：{reason}", "the geometry is invalid: {reason}"),
    "problem.outside_taicang": (
        "位置（经度 {lon}，纬度 {lat}）不在太仓市范围内",
        "the location (lon {lon}, lat {lat}) is not in or near Taicang",
    ),
    "problem.land_needs_polygon": ("产业用地需要面状范围，而不是 {geom_type}", "industrial land needs a polygon, not a {geom_type}"),
    "problem.building_geometry_type": ("位置须为点或面，而不是 {geom_type}", "the location must be a point or polygon, not a {geom_type}"),
    "problem.project_needs_point": ("项目位置须为点，而不是 {geom_type}", "a project's location must be a point, not a {geom_type}"),
    "problem.not_for_kind": ("该字段不适用于此类载体（{kind}）", "does not apply to this kind of carrier ({kind})"),
    "problem.unknown_field": ("未知字段", "unknown field"),
    "problem.leasable_over_area": (
        "可租售面积 {leasable} 超过总面积 {area}", "the leasable area {leasable} exceeds the area {area}"
    ),
    "problem.negotiable_with_price": (
        "标为价格面议，却又填写了价格 {value}：请只保留其一",
        "marked as price negotiable, yet a price of {value} is given: keep only one of them",
    ),
    "problem.vacant_over_area": ("空置面积 {vacant} 超过总面积 {area}", "the vacant area {vacant} exceeds the area {area}"),
    "problem.vacant_over_leasable": (
        "空置面积 {vacant} 超过可租售面积 {leasable}", "the vacant area {vacant} exceeds the leasable area {leasable}"
    ),
    "problem.currency_required": ("有投资额时须注明币种", "an investment amount needs its currency"),
    "problem.duplicate_code": ("编号 {code} 在同一批数据中重复", "the code {code} appears more than once"),
    "problem.remove_unknown": ("要删除的编号 {code} 不存在", "the code {code} to remove does not exist"),
    "problem.unknown_version": ("版本 {version} 不存在", "version {version} does not exist"),
    "problem.changed_later": (
        "{code} 在之后的版本 {version} 中又被修改，请先回滚该版本",
        "{code} was changed again in the later version {version}; roll that one back first",
    ),
    "problem.changed_since_preview": (
        "自您预览以来，{n} 条相关记录已被他人修改（{codes}）：未写入任何内容，请重新预览后再提交",
        "{n} of the records concerned were changed by someone else since your preview ({codes}): nothing was "
        "written; preview again, then commit",
    ),
    "problem.written_meanwhile": (
        "这些编号刚刚已由他人写入：未写入任何内容，请重新预览后再提交",
        "someone else has just written records with these codes: nothing was written; preview again, then commit",
    ),
    "problem.store_busy": (
        "另一位用户正在写入数据，等待 {seconds} 秒后仍未完成：未写入任何内容，请稍后再试",
        "another person is writing to the data and was not done after {seconds} s: nothing was written; try again shortly",
    ),
    "account.password_too_short": ("密码至少 8 位", "the password needs at least 8 characters"),
    "account.bad_username": ("用户名不能为空或包含空格", "the username must not be empty or contain spaces"),
    "account.public_is_not_an_account": ("公众无需账号", "the public role needs no account"),
    "account.staff_needs_district": ("区镇招商人员须绑定一个已知区镇", "district staff must be bound to a known district"),
}
