"""Strings of ingest_values (see heatmap.ingest): problems with cell values, and the Excel template."""

CATALOG: dict[str, tuple[str, str]] = {
    # --- problems with one cell (heatmap.ingest.values) ---
    "ingest.not_a_number": (
        "“{value}” 不是数字（可写作 1200、1,200、3.5万、1200㎡；不确定请留空）",
        "“{value}” is not a number (write e.g. 1200, 1,200, 3.5万 or 1200 m²; leave it empty if unknown)",
    ),
    "ingest.number_range": (
        "“{value}” 是一个范围，请只填一个数字",
        "“{value}” is a range; write a single number",
    ),
    "ingest.unknown_unit": (
        "“{value}” 中的单位“{unit}”无法识别",
        "the unit “{unit}” in “{value}” is not recognised",
    ),
    "ingest.unit_not_allowed": (
        "“{value}” 的单位“{unit}”不适用于此列（可用：{allowed}）",
        "the unit “{unit}” of “{value}” does not fit this column (accepted: {allowed})",
    ),
    "ingest.rent_period_missing": (
        "“{value}” 未注明按月还是按天，请写作 元/㎡/月 或 元/㎡/天",
        "“{value}” does not say per month or per day; write CNY/m²/month (元/㎡/月) or CNY/m²/day (元/㎡/天)",
    ),
    "ingest.price_negotiable_read": (
        "“{column}”列有 {n} 行写作“面议”（或待定、协商等）：记为价格面议，价格留空",
        "{n} rows say “negotiable” (面议, on request, TBD …) in the column “{column}”: stored as price negotiable, "
        "the price left empty",
    ),
    "ingest.price_word_left_empty": (
        "“{column}”列有 {n} 行写作“面议”（或待定、协商等）：该栏留空（价格面议只指租金，土地为地价）",
        "{n} rows say “negotiable” (面议, on request, TBD …) in the column “{column}”: left empty there "
        "(price negotiable means the rent, or the land price of land)",
    ),
    "ingest.negotiable_conflict": (
        "此行价格面议一栏为“否”，而“{column}”写作“面议”：请统一两栏",
        "this row says “no” to price negotiable, yet “{column}” says negotiable (面议): make the two agree",
    ),
    "ingest.approximate_value": (
        "“{value}” 是约数，已按 {number} 读取",
        "“{value}” is approximate; read as {number}",
    ),
    "ingest.not_a_ratio": (
        "“{value}” 不是比例（可写作 85%、0.85 或 85）",
        "“{value}” is not a rate (write e.g. 85%, 0.85 or 85)",
    ),
    "ingest.ratio_out_of_range": (
        "“{value}” 不在 0%–100% 之间",
        "“{value}” is not between 0% and 100%",
    ),
    "ingest.not_a_date": (
        "“{value}” 不是日期（可写作 2020-07-06、2020/7/6、2020年7月6日）",
        "“{value}” is not a date (write e.g. 2020-07-06, 2020/7/6 or 2020年7月6日)",
    ),
    "ingest.date_month_only": (
        "“{value}” 只有年月，已按 {date} 读取",
        "“{value}” gives only a month; read as {date}",
    ),
    "ingest.unknown_choice": (
        "“{value}” 不是可选值（可选：{choices}）",
        "“{value}” is not one of the accepted values ({choices})",
    ),
    "ingest.not_a_bool": (
        "“{value}” 不是“是/否”（可写作 是、否、Y、N、公开、不公开）",
        "“{value}” is not yes/no (write yes, no, Y, N, 是 or 否)",
    ),
    "ingest.formula_cell": (
        "“{value}” 是表格公式，请填写数值或文字本身",
        "“{value}” is a spreadsheet formula; enter the value or text itself",
    ),
    "ingest.markup_in_text": (
        "“{value}” 含有网页标记（如 <…>），不予接受",
        "“{value}” contains markup (such as <…>), which is not accepted",
    ),
    "ingest.control_characters": (
        "“{value}” 含有不可见的控制字符（以 ? 标出），请删除后重新填写",
        "“{value}” contains invisible control characters (shown as ?); remove them",
    ),
    "ingest.spreadsheet_error": (
        "“{value}” 是表格公式的错误结果，请填写正确的值",
        "“{value}” is a spreadsheet error value; enter the correct value",
    ),
    "ingest.not_a_coordinate": (
        "“{value}” 不是坐标（可写作 121.15、121°09′00″E）",
        "“{value}” is not a coordinate (write e.g. 121.15 or 121°09′00″E)",
    ),
    "ingest.invalid_wkt": (
        "“{value}” 不是有效的 WKT 几何（如 POLYGON((121.1 31.4, …))）",
        "“{value}” is not valid WKT (e.g. POLYGON((121.1 31.4, …)))",
    ),
    # --- the Excel template (heatmap.ingest.template) ---
    "ingest.template_col_column": ("列", "Column"),
    "ingest.template_col_required": ("必填", "Required"),
    "ingest.template_col_help": ("说明", "Explanation"),
    "ingest.template_col_help_other": ("说明（英文）", "Explanation (Chinese)"),
    "ingest.template_required_yes": ("必填", "required"),
    "ingest.template_required_no": ("选填", "optional"),
    "ingest.template_intro": (
        "请在“载体 Carriers”工作表中每行填写一个载体；第一行为表头，请勿修改或删除（可删除不需要的选填列）。示例行可删除。标 * 的列为必填。",
        "Fill in one carrier per row of the sheet “载体 Carriers”. Its first row is the header: keep it (optional columns you do not need may be deleted). The example row may be deleted. Columns marked * are required.",
    ),
    "ingest.template_coordinates": (
        "坐标：经度/纬度默认为 WGS-84（GPS）十进制度，如 121.1180、31.4547；也接受 CGCS2000 高斯-克吕格投影坐标（X/Y 列，中央经线 120°E）；高德/腾讯地图（GCJ-02）坐标需在上传页面勾选后再上传。产业用地须填写范围（WKT 面）或上传 Shapefile/GeoJSON。",
        "Coordinates: longitude/latitude are WGS-84 (GPS) decimal degrees by default, e.g. 121.1180, 31.4547; CGCS2000 Gauss-Krüger coordinates (columns X/Y, central meridian 120°E) are accepted too; AMap/Tencent (GCJ-02) coordinates only when ticked on the upload page. Industrial land needs its boundary (a WKT polygon) or an uploaded Shapefile/GeoJSON.",
    ),
    "ingest.template_districts": ("区镇请填写代码或名称：{districts}", "District: its code or name: {districts}"),
    "ingest.template_help_text": ("{meaning}：文字", "{meaning}: text"),
    "ingest.template_help_code": (
        "{meaning}：文字，不含空格，不可重复，最多 40 个字符",
        "{meaning}: text without spaces, unique, at most 40 characters",
    ),
    "ingest.template_help_number": (
        "{meaning}：数字，单位 {unit}；也可写 {examples}",
        "{meaning}: a number in {unit}; also accepted: {examples}",
    ),
    "ingest.template_help_price": (
        "{meaning}：数字，单位 {unit}；也可写 {examples}；价格未定请写“面议”（待定、协商亦可），记为价格面议",
        "{meaning}: a number in {unit}; also accepted: {examples}; with no fixed price write “面议” (or negotiable, "
        "on request, TBD): stored as price negotiable",
    ),
    "ingest.template_help_negotiable": (
        "{meaning}：是 / 否（留空为否）；在租金或地价栏写“面议”即可，不必另填此列",
        "{meaning}: yes / no (empty means no); writing “面议” (negotiable) in the rent or land price column does the same",
    ),
    "ingest.template_help_plain": ("{meaning}：数字，如 1.5", "{meaning}: a number, e.g. 1.5"),
    "ingest.template_help_integer": ("{meaning}：整数，如 3", "{meaning}: a whole number, e.g. 3"),
    "ingest.template_help_date": (
        "{meaning}：日期，如 2025-06-30、2025/6/30、2025年6月30日",
        "{meaning}: a date, e.g. 2025-06-30, 2025/6/30 or 2025年6月30日",
    ),
    "ingest.template_help_bool": ("{meaning}：是 / 否（留空为公开）", "{meaning}: yes / no (empty means public)"),
    "ingest.template_help_choice": ("{meaning}：以下之一：{choices}", "{meaning}: one of {choices}"),
    "ingest.template_help_list": (
        "{meaning}：以下一个或多个，用顿号或逗号分隔：{choices}",
        "{meaning}: one or more of the following, separated by commas: {choices}",
    ),
    "ingest.template_help_lon": ("经度（WGS-84 十进制度），如 121.1180", "Longitude (WGS-84 decimal degrees), e.g. 121.1180"),
    "ingest.template_help_lat": ("纬度（WGS-84 十进制度），如 31.4547", "Latitude (WGS-84 decimal degrees), e.g. 31.4547"),
    "ingest.template_help_wkt": (
        "范围：WKT 格式的面（经纬度），如 POLYGON((121.11 31.45, 121.12 31.45, 121.12 31.46, 121.11 31.45))；填写后可不填经纬度",
        "Boundary: a WKT polygon in lon/lat, e.g. POLYGON((121.11 31.45, 121.12 31.45, 121.12 31.46, 121.11 31.45)); with it, lon/lat may stay empty",
    ),
    "ingest.template_header_lon": ("经度", "Longitude"),
    "ingest.template_header_lat": ("纬度", "Latitude"),
    "ingest.template_header_wkt": ("范围（WKT）", "Boundary (WKT)"),
}
