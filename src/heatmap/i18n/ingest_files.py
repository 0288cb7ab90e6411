"""Strings of ingest_files (see heatmap.ingest)."""

CATALOG: dict[str, tuple[str, str]] = {
    # --- whole-file failures (heatmap.ingest.files) ---
    "ingest.empty_file": (
        "文件是空的（0 字节），请检查后重新上传。",
        "The file is empty (0 bytes); please check it and upload it again.",
    ),
    "ingest.too_large": (
        "文件大小 {size_mb} MB，超过上限 {limit_mb} MB。请拆分成几个文件或删去不需要的工作表后再上传。",
        "The file is {size_mb} MB, above the limit of {limit_mb} MB. Split it or remove unneeded sheets, then upload again.",
    ),
    "ingest.unsupported_type": (
        "无法读取扩展名为 {ext} 的文件。支持的类型：{supported}。",
        "Files with the extension {ext} cannot be read. Supported types: {supported}.",
    ),
    "ingest.old_excel": (
        "这是旧版 Excel 文件（{ext}），无法读取。请在 Excel 或 WPS 中“另存为” .xlsx 后再上传。",
        "This is an old-format Excel file ({ext}), which cannot be read. Open it in Excel or WPS, “Save as” .xlsx and upload that.",
    ),
    "ingest.excel_old_or_encrypted": (
        "文件扩展名是 {ext}，但内容是旧版 .xls 格式或设置了打开密码。请去掉密码，并在 Excel 或 WPS 中“另存为” .xlsx 后再上传。",
        "The file is named {ext} but is an old .xls workbook or protected by a password. Remove the password, “Save as” .xlsx in Excel or WPS and upload that.",
    ),
    "ingest.wrong_content": (
        "文件扩展名是 {ext}，但内容实际上是 {looks_like} 格式。请用原来的软件打开，另存为正确的格式（或改正扩展名）后再上传。",
        "The file is named {ext} but its content is {looks_like}. Open it in the program that made it, save it in the right format (or correct the extension) and upload again.",
    ),
    "ingest.wrong_content_unknown": (
        "文件扩展名是 {ext}，但内容不是该格式，无法识别。文件可能已损坏，或被改过扩展名。",
        "The file is named {ext} but its content is not in that format and could not be recognised. It may be damaged or renamed.",
    ),
    "ingest.shapefile_not_zipped": (
        "Shapefile 由多个文件组成（.shp、.shx、.dbf，最好还有 .prj 和 .cpg），单独的 {ext} 文件无法读取。请把同名的这些文件一起压缩成 .zip 后上传。",
        "A Shapefile consists of several files (.shp, .shx, .dbf, ideally also .prj and .cpg); a lone {ext} file cannot be read. Put them together in one .zip and upload that.",
    ),
    "ingest.no_rows": (
        "文件中没有找到数据行。请检查表头下面是否有数据，或图层中是否有要素。",
        "No data rows were found. Check that there are rows below the header, or features in the layer.",
    ),
    "ingest.broken_excel": (
        "Excel 文件无法读取，可能已损坏（{reason}）。请在 Excel 或 WPS 中打开并重新保存为 .xlsx 后再上传。",
        "The Excel file cannot be read and may be damaged ({reason}). Open it in Excel or WPS, save it again as .xlsx and upload that.",
    ),
    "ingest.bad_encoding": (
        "文本文件的编码无法识别（尝试了 {encodings}，第 {line} 行出错）。请在 Excel 或 WPS 中另存为 “CSV UTF-8” 后再上传。",
        "The text encoding could not be recognised (tried {encodings}; failed on line {line}). Save it as “CSV UTF-8” in Excel or WPS and upload again.",
    ),
    "ingest.broken_csv": (
        "CSV 文件第 {line} 行附近格式有误（{reason}），通常是引号没有成对。请检查后重新保存。",
        "The CSV file is malformed near line {line} ({reason}), usually an unmatched quote. Please check it and save it again.",
    ),
    "ingest.broken_geodata": (
        "地理数据文件无法读取，可能已损坏或格式不对（{reason}）。",
        "The geodata file cannot be read; it may be damaged or in another format ({reason}).",
    ),
    "ingest.unsafe_xml": (
        "KML 文件含有 DOCTYPE 或 ENTITY 声明，出于安全原因已拒绝。请从原软件重新导出 KML。",
        "The KML file contains a DOCTYPE or ENTITY declaration and was refused for safety. Export the KML again from the original program.",
    ),
    "ingest.broken_zip": (
        "压缩包已损坏，无法解压（{reason}）。请重新压缩后再上传。",
        "The zip archive is damaged and cannot be extracted ({reason}). Please zip the files again and upload.",
    ),
    "ingest.zip_unsafe_path": (
        "压缩包中的 “{name}” 指向压缩包以外的位置，已拒绝。",
        "The zip entry “{name}” points outside the archive; the file was refused.",
    ),
    "ingest.zip_bomb": (
        "压缩包解压后过大或压缩比异常（上限 {limit_mb} MB），出于安全原因已拒绝。",
        "The zip archive expands to too much data or is compressed suspiciously well (limit {limit_mb} MB); it was refused for safety.",
    ),
    "ingest.zip_encrypted": (
        "压缩包设置了密码，无法读取。请不加密码重新压缩后再上传。",
        "The zip archive is password-protected and cannot be read. Zip the files again without a password.",
    ),
    "ingest.zip_no_shapefile": (
        "压缩包中没有可读取的数据（需要 Shapefile 的 .shp/.shx/.dbf，或 Excel、CSV、GeoJSON、GeoPackage、KML 文件）。包内文件：{files}",
        "The zip archive holds nothing readable (a Shapefile's .shp/.shx/.dbf, or an Excel, CSV, GeoJSON, GeoPackage or KML file). It contains: {files}",
    ),
    "ingest.shapefile_incomplete": (
        "Shapefile 不完整，缺少 {missing} 文件。请把同名的 .shp、.shx、.dbf（以及 .prj、.cpg）一起压缩后上传。",
        "The Shapefile is incomplete: {missing} is missing. Zip the .shp, .shx and .dbf (and .prj, .cpg) of the same name together and upload again.",
    ),
    # --- notes on how a file was read (warnings) ---
    "ingest.encoding_detected": (
        "文本文件按 {encoding} 编码读取。如出现乱码，请另存为 “CSV UTF-8” 后重新上传。",
        "The text file was read as {encoding}. If any text looks garbled, save it as “CSV UTF-8” and upload again.",
    ),
    "ingest.shapefile_encoding_assumed": (
        "Shapefile 没有 .cpg 文件说明文字编码，已按 {encoding}（中文 Windows 的默认编码）读取。如出现乱码，请附上 .cpg 文件。",
        "The Shapefile has no .cpg file naming its text encoding; it was read as {encoding} (the default of Chinese Windows). If text looks garbled, include the .cpg file.",
    ),
    # --- coordinates (heatmap.ingest.crs) ---
    "ingest.crs_unknown": (
        "无法识别坐标系：坐标既不像经纬度，也不像太仓范围内的 CGCS2000 高斯-克吕格坐标（例如 {sample}）。请在文件中注明坐标系（如附上 .prj），或转换为经纬度后再上传。",
        "The coordinate system could not be recognised: the coordinates are neither degrees nor CGCS2000 Gauss-Krüger values around Taicang (e.g. {sample}). Declare the coordinate system (e.g. include the .prj) or convert to longitude/latitude.",
    ),
    "ingest.crs_recognised": (
        "文件未注明坐标系，根据坐标范围识别为 {crs}，已转换为经纬度（WGS-84）。请在地图上核对位置。",
        "The file declares no coordinate system; from the coordinates' range it was taken as {crs} and converted to WGS-84. Please check the positions on the map.",
    ),
    "ingest.crs_file_contradicted": (
        "文件注明的坐标系是 {file_crs}，但坐标数值是米制的，已按 {crs} 读取并转换为经纬度。请在地图上核对位置。",
        "The file declares {file_crs}, but the coordinates are in metres; they were read as {crs} and converted to WGS-84. Please check the positions on the map.",
    ),
    "ingest.crs_transformed": (
        "坐标已从文件注明的坐标系 {crs} 转换为经纬度（WGS-84）。",
        "The coordinates were converted from the file's coordinate system {crs} to WGS-84.",
    ),
    "ingest.crs_assumed_wgs84": (
        "文件未注明坐标系，已按 WGS-84 经纬度读取。如果坐标取自高德或腾讯地图（GCJ-02），请勾选相应选项后重新上传。",
        "The file declares no coordinate system; the coordinates were taken as WGS-84 degrees. If they come from AMap/Gaode or Tencent maps (GCJ-02), tick that option and upload again.",
    ),
    "ingest.gcj02_converted": (
        "坐标已按高德/腾讯（GCJ-02）坐标纠偏为 WGS-84。",
        "The coordinates were converted from AMap/Tencent GCJ-02 to WGS-84.",
    ),
    "ingest.gcj02_not_applied": (
        "已选择 GCJ-02，但文件坐标是 {crs} 的米制坐标，不可能来自高德/腾讯地图，因此未做 GCJ-02 纠偏。",
        "GCJ-02 was chosen, but the coordinates are metres in {crs}, which cannot come from AMap/Tencent; no GCJ-02 correction was applied.",
    ),
}
