"""Strings of the upload's limits against hostile or absurd input (see heatmap.ingest)."""

CATALOG: dict[str, tuple[str, str]] = {
    # --- containers (heatmap.ingest.files) ---
    "ingest.zip_too_many_members": (
        "文件内部包含 {members} 个压缩成员，超过上限 {limit} 个，出于安全原因已拒绝。",
        "The file holds {members} packed members, above the limit of {limit}; it was refused for safety.",
    ),
    "ingest.workbook_bomb": (
        "工作簿解压后有 {size_mb} MB 数据（上限 {limit_mb} MB）或压缩比异常，出于安全原因未读取。"
        "请删去不需要的工作表、空白行列和格式，或拆分成几个文件后再上传。",
        "The workbook expands to {size_mb} MB of data (limit {limit_mb} MB) or is compressed suspiciously well; "
        "it was not read, for safety. Remove unneeded sheets, blank rows, columns and formatting, or split it "
        "into several files, and upload again.",
    ),
    "ingest.sheet_too_large": (
        "工作表“{sheet_name}”过大：读到第 {rows} 行时已有 {columns} 列，行数 × 列数超过 {limit} 个单元格的上限，未继续读取。"
        "常见原因是很靠右或很靠下的某个单元格（如 XFD 列）有内容。请删去多余的行列后再上传。",
        "The sheet “{sheet_name}” is too large: by row {rows} it is {columns} columns wide, and rows × columns pass "
        "the limit of {limit} cells, so it was not read further. Usually a cell far to the right or far down (such as "
        "in column XFD) holds something. Delete the extra rows and columns and upload again.",
    ),
    # --- values (heatmap.ingest.values) ---
    "ingest.number_too_large": (
        "“{value}” 超出可处理的数值范围，不可能是实际数值，请填写实际数值",
        "“{value}” is beyond the range of numbers that can be handled and cannot be a real value; enter the actual value",
    ),
    # --- coordinates (heatmap.ingest.pipeline, crs) ---
    "ingest.latitude_out_of_range": (
        "纬度 {value} 超出范围（纬度在 -90 到 90 之间，太仓约为 31.5）",
        "The latitude {value} is out of range (latitudes lie between -90 and 90; Taicang is near 31.5)",
    ),
    "ingest.longitude_out_of_range": (
        "经度 {value} 超出范围（经度在 -180 到 180 之间，太仓约为 121.1）",
        "The longitude {value} is out of range (longitudes lie between -180 and 180; Taicang is near 121.1)",
    ),
    # --- geometries (heatmap.model, heatmap.ingest.pipeline) ---
    "ingest.too_many_vertices": (
        "图形有 {vertices} 个顶点，超过上限 {limit} 个，未读取。请在 GIS 软件中简化该图形（例如容差 0.5 米）后再上传。",
        "The shape has {vertices} vertices, above the limit of {limit}, and was not read. Simplify it in your GIS "
        "(for example with a 0.5 m tolerance) and upload again.",
    ),
    "problem.too_many_vertices": (
        "图形有 {vertices} 个顶点，超过上限 {limit} 个",
        "the shape has {vertices} vertices, above the limit of {limit}",
    ),
    # --- the whole file (heatmap.ingest.pipeline) ---
    "ingest.duplicate_code_in_other_sheet": (
        "编号 {code} 重复：在“{sheet}”中再次出现，首次出现在“{first_sheet}”第 {first_row} 行。",
        "The code {code} is repeated: it appears again in “{sheet}”, first in “{first_sheet}”, row {first_row}.",
    ),
    "ingest.problems_omitted": (
        "本文件共有 {total} 条此类问题，只列出前 {shown} 条，其余 {omitted} 条未列出。请先改正列出的问题（常常是同一原因）后重新上传。",
        "The file has {total} problems of this kind; the first {shown} are listed and {omitted} more are not. "
        "Correct the listed ones (often one cause) and upload again.",
    ),
    "ingest.too_many_rows": (
        "文件（或其中一个工作表、图层）的数据超过 {limit} 行，未读取。请拆分成几个文件后分别上传。",
        "The file (or one of its sheets or layers) has more than {limit} data rows and was not read. Split it into several files and upload them one by one.",
    ),
}
