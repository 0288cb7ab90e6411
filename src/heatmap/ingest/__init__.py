"""Reading the files district staff upload into carrier or project records, with every problem located.

The modules, in the order a file goes through them:
- `files`:   bytes -> RawTable(s). Size limits, the real type behind the extension, safe zips,
             text encodings (UTF-8, BOM, GBK/GB18030), Excel header rows and sheets, GeoJSON,
             GeoPackage, zipped Shapefile, KML.
- `crs`:     the coordinates' reference system: from the file, or recognised by range
             (CGCS2000 Gauss-Krüger CM 120E), GCJ-02 on request; everything ends in WGS-84.
- `headers`: which column is which field (Chinese/English variants, remembered user mappings).
- `values`:  text as people write it -> typed values in the model's units (1,200 / 3.5万 / 12亩 /
             25元/㎡/月 / 85% / 2020年7月6日 / full-width digits), or a problem, never a guess.
- `template`: the Excel template per carrier kind and per project category.
- `pipeline`: all of the above for one upload -> records + problems, ready for Store.diff/save.
"""
