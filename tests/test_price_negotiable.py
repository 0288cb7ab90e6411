"""面议 / 待定 / 协商 in a price column (issue 8): read as a negotiable price, never an error; stored as
price_negotiable with the number empty; shown as 面议 / "negotiable" on the map, the record, the lists and
the exports; left out of price filters and averages; an export uploaded again reads back as negotiable."""
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import shapely

from heatmap import display, export, filters, i18n, mapview, matching, summary
from heatmap.filters import Filters
from heatmap.ingest import headers, pipeline, template, values
from heatmap.model import CARRIER_FIELD, validate_carrier
from heatmap.store import records_frame

TODAY = dt.date(2026, 11, 28)
LIUHE = (121.271956, 31.517044)  # 浏河镇's seat
SHAXI = (121.066545, 31.559024)
NAMES = {"liuhe": "浏河镇", "shaxi": "沙溪镇"}


def plant_rows(rents: list) -> list[dict]:
    return [
        {
            "载体编号": f"LH-P{i:03d}", "载体名称": f"浏河标准厂房{i}号", "所属区镇": "浏河镇", "建筑面积(㎡)": 5000,
            "空置面积": 1000, "状态": "可租售", "租金": rent, "核实日期": "2026-07-06",
            "经度": LIUHE[0] + i * 0.001, "纬度": LIUHE[1] + i * 0.001,
        }
        for i, rent in enumerate(rents, start=1)
    ]


def csv_bytes(rows: list[dict], encoding: str = "gbk") -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_csv(buffer, index=False, encoding=encoding)
    return buffer.getvalue()


def xlsx_bytes(rows: list[dict], sheet: str = "载体") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    columns = list(rows[0])
    ws.append(columns)
    for row in rows:
        ws.append([row[c] for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(store, data: bytes, name: str, kind: str = "plant", district: str | None = "liuhe"):
    return pipeline.read_upload(data, name, kind=kind, store=store, district=district, today=TODAY)


def located(upload) -> list[tuple]:
    return [(p.row, p.column, p.key) for p in upload.errors]


# --- the words ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["面议", "待定", "协商", "议价", "价格面议", "电议", " 面议 ", "（面议）", "negotiable",
                                  "Negotiable", "on request", "Price on request", "TBD", "n.V.", "N.V.", "VB", "面 议"])
def test_words_for_negotiable(cell):
    assert values.is_negotiable(cell)


@pytest.mark.parametrize("cell", ["25", "25 面议", "面议25", "约25", "", "-", "待", "negotiable 25", None, 25.0])
def test_other_cells_are_not_negotiable(cell):
    assert not values.is_negotiable(cell)


def test_negotiable_mask_of_a_column():
    assert values.negotiable_mask(pd.Series(["面议", None, 25.0, "25", "VB", float("nan")], dtype=object)).tolist() == [
        True, False, False, False, True, False]


@pytest.mark.parametrize("header", ["价格面议", "是否面议", "Price negotiable", "negotiable", "价格面议 Price negotiable"])
def test_an_explicit_column_is_recognised(header):
    assert headers.match_header(header).field == "price_negotiable"


# --- the model ------------------------------------------------------------------------------------


def test_a_negotiable_price_with_a_number_is_refused_and_the_flag_defaults_to_no(small_sample):
    plant = next(c for c in small_sample.carriers if c["kind"] == "plant" and c.get("rent_cny_m2_month"))
    districts = {d["code"] for d in small_sample.districts}
    found = validate_carrier(dict(plant, price_negotiable=True), districts=districts, today=TODAY)
    assert [(p.field, p.key) for p in found] == [("rent_cny_m2_month", "negotiable_with_price")]
    assert i18n.problem_text(found[0], "zh").count("价格面议") >= 1
    assert validate_carrier(dict(plant, price_negotiable=True, rent_cny_m2_month=None), districts=districts, today=TODAY) == []
    land = next(c for c in small_sample.carriers if c["kind"] == "land" and c.get("land_price_wan_mu"))
    found = validate_carrier(dict(land, price_negotiable=True), districts=districts, today=TODAY)
    assert [(p.field, p.key) for p in found] == [("land_price_wan_mu", "negotiable_with_price")]
    # the property fee is not the price the flag is about
    office = next(c for c in small_sample.carriers if c["kind"] == "office")
    assert validate_carrier(dict(office, price_negotiable=True, rent_cny_m2_month=None), districts=districts, today=TODAY) == []


# --- reading files --------------------------------------------------------------------------------


def test_a_csv_with_negotiable_rents_imports_without_an_error_and_one_note(store):
    upload = read(store, csv_bytes(plant_rows(["面议", "25", "待定", "n.V.", "VB", "On request", "协商"])), "浏河厂房.csv")
    assert not upload.errors, pipeline.report_frame(upload.errors, "en").to_dict("records")
    by_code = {r["code"]: r for r in upload.records}
    assert by_code["LH-P002"]["rent_cny_m2_month"] == 25 and by_code["LH-P002"]["price_negotiable"] is False
    for code in ("LH-P001", "LH-P003", "LH-P004", "LH-P005", "LH-P006", "LH-P007"):
        assert by_code[code]["price_negotiable"] is True and by_code[code].get("rent_cny_m2_month") is None
    notes = [p for p in upload.notes if p.key == "price_negotiable_read"]
    assert len(notes) == 1 and notes[0].params["n"] == 6 and notes[0].column == "租金"
    zh, en = (pipeline.problem_message(notes[0], lang) for lang in ("zh", "en"))
    assert "6" in zh and "租金" in zh and "面议" in zh and "6 rows" in en and "negotiable" in en
    pipeline.commit(upload, store, user="staff-liuhe")
    stored = store.carriers().set_index("code")
    assert bool(stored.loc["LH-P001", "price_negotiable"]) is True and pd.isna(stored.loc["LH-P001", "rent_cny_m2_month"])
    assert bool(stored.loc["LH-P002", "price_negotiable"]) is False and stored.loc["LH-P002", "rent_cny_m2_month"] == 25


def test_an_xlsx_of_land_with_negotiable_prices_and_a_second_sheet(store):
    rows = [
        {"地块编号": f"SX-L{i}", "地块名称": f"沙溪工业地块{i}", "所属区镇": "沙溪镇", "用地面积（亩）": 30, "状态": "可租售",
         "出让价（万元/亩）": price,
         "范围": shapely.box(SHAXI[0] + i * 0.003, SHAXI[1], SHAXI[0] + i * 0.003 + 0.002, SHAXI[1] + 0.002).wkt}
        for i, price in enumerate(["面议", 48, "价格面议", "待定"], start=1)
    ]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows[:2], "一月")))
    second = book.create_sheet("二月")
    second.append(list(rows[0]))
    for row in rows[2:]:
        second.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    upload = read(store, buffer.getvalue(), "沙溪地块.xlsx", kind="land", district="shaxi")
    assert not upload.errors, pipeline.report_frame(upload.errors, "en").to_dict("records")
    flags = {r["code"]: (r["price_negotiable"], r.get("land_price_wan_mu")) for r in upload.records}
    assert flags == {"SX-L1": (True, None), "SX-L2": (False, 48), "SX-L3": (True, None), "SX-L4": (True, None)}
    notes = [p for p in upload.notes if p.key == "price_negotiable_read"]
    assert [(n.params["n"], n.column) for n in notes] == [(3, "出让价（万元/亩）")], "one note per file, not per sheet"


def test_negotiable_in_the_property_fee_leaves_it_empty_and_marks_nothing(store):
    rows = [{"编号": "KJ-O1", "名称": "科教新城商务中心", "所属区镇": "浏河镇", "面积": 12000, "状态": "可租售", "租金": 45,
             "物业费": "面议", "经度": LIUHE[0], "纬度": LIUHE[1]}]
    upload = read(store, csv_bytes(rows, "utf-8-sig"), "office.csv", kind="office")
    assert not upload.errors, pipeline.report_frame(upload.errors, "en").to_dict("records")
    (rec,) = upload.records
    assert rec["rent_cny_m2_month"] == 45 and rec["price_negotiable"] is False
    assert rec.get("property_fee_cny_m2_month") is None
    assert [(p.key, p.params["n"], p.column) for p in upload.notes if "negotiable" in p.key or "price" in p.key] == [
        ("price_word_left_empty", 1, "物业费")]


def test_the_word_in_a_column_that_is_no_price_is_still_an_error(store):
    rows = plant_rows([25])
    rows[0]["建筑面积(㎡)"] = "面议"
    upload = read(store, csv_bytes(rows), "bad.csv")
    assert (2, "建筑面积(㎡)", "not_a_number") in located(upload)


def test_an_explicit_column_decides_and_contradictions_are_located(store):
    rows = plant_rows(["", "面议", "面议", 25, 25])
    for row, flag in zip(rows, ["是", "是", "否", "是", "否"]):
        row["价格面议"] = flag
    upload = read(store, csv_bytes(rows), "explicit.csv")
    assert set(located(upload)) == {(4, "价格面议", "negotiable_conflict"), (5, "租金", "negotiable_with_price")}
    flags = {r["code"]: r.get("price_negotiable") for r in upload.records}
    assert flags["LH-P001"] is True and flags["LH-P002"] is True and flags["LH-P005"] is False
    conflict = next(p for p in upload.errors if p.key == "negotiable_conflict")
    assert conflict.value == "否" and "租金" in pipeline.problem_message(conflict, "zh")
    assert "negotiable" in pipeline.problem_message(conflict, "en")


def test_later_uploads_set_and_clear_the_flag_as_the_file_says(store):
    pipeline.commit(read(store, csv_bytes(plant_rows(["面议", 25])), "first.csv"), store, user="staff-liuhe")
    # a file of vacant areas alone leaves price and flag as they are
    vacant_only = [{"载体编号": "LH-P001", "空置面积": 800}, {"载体编号": "LH-P002", "空置面积": 900}]
    upload = read(store, csv_bytes(vacant_only), "vacant.csv")
    assert not upload.errors
    assert [c.fields for c in pipeline.preview(upload, store).of("change")] == [("vacant_m2",), ("vacant_m2",)]
    # a number in the price column ends the negotiation; 面议 starts one
    upload = read(store, csv_bytes(plant_rows([30, "面议"])), "second.csv")
    diff = pipeline.preview(upload, store)
    changed = {c.code: set(c.fields) for c in diff.of("change")}
    assert changed == {"LH-P001": {"rent_cny_m2_month", "price_negotiable"}, "LH-P002": {"rent_cny_m2_month", "price_negotiable"}}
    pipeline.commit(upload, store, user="staff-liuhe")
    stored = store.carriers().set_index("code")
    assert bool(stored.loc["LH-P001", "price_negotiable"]) is False and stored.loc["LH-P001", "rent_cny_m2_month"] == 30
    assert bool(stored.loc["LH-P002", "price_negotiable"]) is True and pd.isna(stored.loc["LH-P002", "rent_cny_m2_month"])
    # a 价格面议 column alone: a stored price no longer holds once the price is negotiable
    upload = read(store, csv_bytes([{"载体编号": "LH-P001", "价格面议": "是"}]), "flag.csv")
    assert not upload.errors, pipeline.report_frame(upload.errors, "en").to_dict("records")
    (change,) = pipeline.preview(upload, store).of("change")
    assert set(change.fields) == {"rent_cny_m2_month", "price_negotiable"} and change.after["rent_cny_m2_month"] is None


# --- filters and averages -------------------------------------------------------------------------


def _frame(small_sample):
    plants = [c for c in small_sample.carriers if c["kind"] == "plant"][:6]
    lands = [c for c in small_sample.carriers if c["kind"] == "land"][:3]
    records = [dict(plants[0], rent_cny_m2_month=None, price_negotiable=True),
               dict(plants[1], rent_cny_m2_month=20.0, price_negotiable=False),
               dict(plants[2], rent_cny_m2_month=40.0, price_negotiable=False),
               dict(lands[0], land_price_wan_mu=None, price_negotiable=True),
               dict(lands[1], land_price_wan_mu=50.0, price_negotiable=False),
               dict(lands[2], land_price_wan_mu=70.0, price_negotiable=False)]
    return records_frame("carrier", records)


def test_price_filters_keep_only_known_prices_that_pass(small_sample):
    frame = _frame(small_sample)
    negotiable = set(frame.loc[filters.price_negotiable(frame), "code"])
    assert len(negotiable) == 2
    assert set(filters.filter_carriers(frame, Filters(), TODAY)["code"]) >= negotiable  # no range: shown
    kept = filters.filter_carriers(frame, Filters(rent_cny_m2_month=(None, 1000.0)), TODAY)
    assert not negotiable & set(kept[kept["kind"] == "plant"]["code"])
    assert len(kept[kept["kind"] == "plant"]) == 2
    kept = filters.filter_carriers(frame, Filters(land_price_wan_mu=(0.0, None)), TODAY)
    assert list(kept[kept["kind"] == "land"]["land_price_wan_mu"].sort_values()) == [50.0, 70.0]


def test_averages_leave_negotiable_prices_out(small_sample):
    frame = _frame(small_sample)
    city = summary.carrier_figures(frame).iloc[0]
    assert city["mean_rent_cny_m2_month"] == pytest.approx(30.0) and city["mean_land_price_wan_mu"] == pytest.approx(60.0)
    assert city["n_price_negotiable"] == 2
    by_kind = summary.kind_figures(frame)
    assert summary.mean_price_text(by_kind.loc["land"], "land", "zh") == "60.0 万元/亩"
    assert summary.mean_price_text(by_kind.loc["plant"], "plant", "en") == "30.0 CNY/m²/month"
    only_negotiable = frame[filters.price_negotiable(frame)]
    assert summary.mean_price_text(summary.kind_figures(only_negotiable).loc["plant"], "plant", "zh") == "–"


# --- what people see ------------------------------------------------------------------------------


def test_the_record_shows_the_price_as_negotiable(small_sample):
    frame = _frame(small_sample)
    plant = frame.iloc[[i for i, c in enumerate(frame["price_negotiable"]) if c is True and frame["kind"].iloc[i] == "plant"][0]]
    rows = dict(display.record_rows(plant.to_dict(), "carrier", "zh", NAMES))
    assert rows["租金（元/㎡/月）"] == "面议" and "价格面议" not in rows
    rows = dict(display.record_rows(plant.to_dict(), "carrier", "en", NAMES))
    assert rows["Rent (CNY/m²/month)"] == "negotiable"
    text = display.carrier_value_text(plant, CARRIER_FIELD["rent_cny_m2_month"], "zh", NAMES)
    assert text == "面议"
    priced = frame[(frame["kind"] == "plant") & frame["rent_cny_m2_month"].notna()].iloc[0]
    assert display.carrier_value_text(priced, CARRIER_FIELD["rent_cny_m2_month"], "zh", NAMES) == "20"
    assert "价格面议" not in dict(display.record_rows(priced.to_dict(), "carrier", "zh", NAMES))


def test_the_map_rows_and_tooltips_say_negotiable(small_sample):
    frame = _frame(small_sample)
    rows = {r[0]: r for r in mapview.site_rows(frame, "zh", {})}
    for code, flag in zip(frame["code"], frame["price_negotiable"]):
        if flag is True:
            assert rows[code][8] == "negotiable"
        else:
            assert isinstance(rows[code][8], float)
    import geopandas as gpd

    districts = pd.DataFrame(small_sample.districts)
    districts = gpd.GeoDataFrame(districts, geometry=gpd.GeoSeries(districts["seat"], crs=4326), crs=4326)
    for lang, word in (("zh", r"\u9762\u8bae"), ("en", '"negotiable": "negotiable"')):
        built = mapview.build_map(mapview.MapContent(carriers=frame, districts=districts,
                                                     district_figures=summary.district_table(districts, frame, None), lang=lang))
        page = built.map.get_root().render()
        assert word in page and "text.negotiable" in page


def test_matching_explains_a_negotiable_price(small_sample):
    frame = _frame(small_sample)
    frame = frame.assign(vacant_m2=1000.0, status="available")
    needs = matching.Needs(space_kind="plant", budget=30.0)
    ranked = matching.rank(frame, needs, today=TODAY).set_index("code", drop=False)
    negotiable = ranked[filters.price_negotiable(ranked)].iloc[0]
    reasons = {r.criterion: r for r in matching.explain(negotiable, needs)}
    assert reasons["budget"].key == "why.price_negotiable"
    text = display.reason_text(reasons["budget"], "zh", NAMES)
    assert "面议" in text and "元/㎡/月" in text and "nan" not in text.lower()
    assert negotiable["soft_budget"] == matching.UNKNOWN


# --- exports and back -----------------------------------------------------------------------------


def test_exports_show_the_word_in_the_users_language(small_sample):
    frame = _frame(small_sample)
    zh = export.carrier_table(frame, "zh", NAMES, internal=False)
    en = export.carrier_table(frame, "en", NAMES, internal=False)
    flagged = frame["price_negotiable"].eq(True).to_numpy()
    plants = (frame["kind"] == "plant").to_numpy()
    assert set(zh.loc[flagged & plants, "租金（元/㎡/月）"]) == {"面议"}
    assert set(zh.loc[flagged & ~plants, "地价（万元/亩）"]) == {"面议"}
    assert set(en.loc[flagged & plants, "Rent (CNY/m²/month)"]) == {"negotiable"}
    assert set(zh.loc[flagged, "价格面议"]) == {"是"} and set(zh.loc[~flagged, "价格面议"]) == {"否"}
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_excel({"载体": zh})))["载体"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "面议" in cells and not {"None", "nan", "NaN"} & set(cells)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_export_uploaded_again_reads_back_as_negotiable(store, lang):
    pipeline.commit(read(store, csv_bytes(plant_rows(["面议", 25, "待定"])), "first.csv"), store, user="staff-liuhe")
    carriers = store.carriers()
    data = export.to_excel({"sites": export.carrier_table(carriers, lang, NAMES, internal=False)})
    upload = read(store, data, "export.xlsx")
    assert not [p for p in upload.errors if p.field in ("rent_cny_m2_month", "price_negotiable")], \
        pipeline.report_frame(upload.errors, "en").to_dict("records")
    flags = {r["code"]: (r["price_negotiable"], r.get("rent_cny_m2_month")) for r in upload.records}
    assert flags == {"LH-P001": (True, None), "LH-P002": (False, 25), "LH-P003": (True, None)}
    for change in pipeline.preview(upload, store).of("change"):
        assert not {"rent_cny_m2_month", "price_negotiable"} & set(change.fields), change


# --- the template ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_says_that_negotiable_is_accepted(lang):
    rent = template.column_help("rent_cny_m2_month", lang)
    land = template.column_help("land_price_wan_mu", lang)
    assert "面议" in rent and "面议" in land
    flag = template.column_help("price_negotiable", lang)
    assert ("留空为否" if lang == "zh" else "empty means no") in flag
    book = openpyxl.load_workbook(io.BytesIO(template.template_workbook("plant", lang)))
    header = [c.value for c in book[template.SHEET_CARRIERS][1]]
    assert "价格面议 Price negotiable" in header
    assert headers.match_headers(header).unknown == []


# --- the pages (AppTest, on the sample, which marks a few sites 面议) ---------------------------------


def test_the_vacancy_list_marks_negotiable_prices(app_data):
    from conftest import run_app

    at = run_app(page="pages/vacancy.py")
    listing = next(d.value for d in at.dataframe if "negotiable" in d.value.columns)
    flagged = listing[listing["negotiable"]]
    assert len(flagged) > 5 and flagged["price"].isna().all()
    assert listing.loc[~listing["negotiable"], "price"].notna().any()


def test_the_overview_gives_average_prices_without_negotiable_ones(app_data):
    from conftest import run_app
    from heatmap.store import Store

    at = run_app()  # the overview, as the public sees it
    by_kind = next(d.value for d in at.dataframe if "mean_price" in d.value.columns)
    carriers = Store().carriers(public_only=True)
    plants = carriers[carriers["kind"] == "plant"]
    expected = plants.loc[~filters.price_negotiable(plants), "rent_cny_m2_month"].mean()
    plant_row = by_kind[by_kind["kind"] == "厂房"].iloc[0]
    assert plant_row["mean_price"] == f"{i18n.fmt_number(expected, 1)} 元/㎡/月"
    assert plant_row["n_price_negotiable"] == int(filters.price_negotiable(plants).sum()) > 0
    assert by_kind[by_kind["kind"] == "产业用地"].iloc[0]["mean_price"].endswith("万元/亩")


def test_the_matching_list_shows_prices_as_text(app_data):
    from conftest import run_app

    at = run_app(page="pages/matching.py")
    at.selectbox(key="m_kind").set_value("plant")
    at.number_input(key="m_budget").set_value(30.0)
    at.run()
    assert not at.exception
    results = at.dataframe[0].value
    prices = set(results["price"])
    assert prices and not {"nan", "None", ""} & prices
    assert all(p == "面议" or float(p) > 0 for p in prices)
