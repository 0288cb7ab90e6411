"""A deterministic, realistic but NOT REAL sample of Taicang: carriers, projects and their history.

Sites sit in industrial parks, the city centre and 科教新城 on land (never in the Yangtze), with the
industries Taicang courts, plausible sizes, rents, prices and vacancy, some stale records and some
full ones. The same seed always gives the same sample; sizes scale to 100k carriers for benchmarks.
Parks, names, investors and figures are invented; the UI labels every view of them as sample data.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from shapely.geometry import Point, Polygon

from heatmap import config, geo
from heatmap.pipeline import grading
from heatmap.model import (
    FX_TO_CNY,
    M2_PER_MU,
    STAGE_GROUP,
    Category,
    CarrierKind,
    CarrierStatus,
    OfficeGrade,
    Stage,
    StageGroup,
    investment_cny_wan,
    is_missing,
)

SEED = 20200706  # the date of the policy (太政发〔2020〕43号)
AS_OF = dt.date(2026, 10, 31)  # end of the latest bi-monthly reporting period of the sample
PERIODS = 6  # bi-monthly reports kept as history: one year
SOURCE = "sample generator (not real data)"
DEMO_PASSWORD = "taicang-demo"
GRID_M = 420.0  # the cell of the city-wide grid that land parcels are laid out on
KIND_SHARE = {CarrierKind.LAND: 0.30, CarrierKind.PLANT: 0.45, CarrierKind.OFFICE: 0.15, CarrierKind.OTHER: 0.10}
KIND_LETTER = {CarrierKind.LAND: "L", CarrierKind.PLANT: "P", CarrierKind.OFFICE: "O", CarrierKind.OTHER: "X"}


@dataclass(frozen=True)
class Site:
    """A place where the sample puts carriers: an industrial park or a business centre (invented)."""

    district: str
    name_zh: str
    name_en: str
    lon: float
    lat: float
    radius_m: float
    weights: dict  # carrier kind -> relative weight of this site for that kind
    industries: tuple[str, ...]
    grid_angle: float = 0.0  # orientation of the park's road grid, degrees


_I = "precision_machinery", "auto_parts", "aerospace", "new_materials", "biomedicine", "port_logistics"
SITES: tuple[Site, ...] = (
    Site("port", "港区物流园", "Port Logistics Park", 121.215, 31.608, 1800, {"land": 6, "plant": 4, "other": 10}, ("port_logistics",), 38),
    Site("port", "港区新材料产业园", "Port New Materials Park", 121.185, 31.640, 2000, {"land": 8, "plant": 5, "other": 2}, ("new_materials",), 38),
    Site("port", "港区高端装备产业园", "Port Advanced Equipment Park", 121.232, 31.585, 1700, {"land": 6, "plant": 6, "other": 1}, ("precision_machinery", "auto_parts"), 38),
    Site("port", "港区商务中心", "Port Business Centre", 121.205, 31.603, 700, {"office": 4, "other": 1}, ("port_logistics", "headquarters")),
    Site("hitech", "中德中小企业合作园", "Sino-German SME Cooperation Park", 121.150, 31.492, 1800, {"land": 7, "plant": 12, "other": 2}, ("precision_machinery", "auto_parts"), 12),
    Site("hitech", "高新区航空产业园", "High-tech Zone Aerospace Park", 121.163, 31.512, 1500, {"land": 6, "plant": 6, "other": 1}, ("aerospace", "new_materials"), 12),
    Site("hitech", "高新区生物医药园", "High-tech Zone Biomedicine Park", 121.126, 31.478, 1100, {"land": 3, "plant": 5, "other": 3}, ("biomedicine",), 12),
    Site("hitech", "高新区科创中心", "High-tech Zone Innovation Centre", 121.142, 31.463, 800, {"office": 5, "other": 2}, ("rnd_services", "digital_services")),
    Site("shaxi", "沙溪工业园", "Shaxi Industrial Park", 121.083, 31.575, 1500, {"land": 5, "plant": 6}, ("auto_parts", "precision_machinery"), 5),
    Site("liuhe", "浏河工业园", "Liuhe Industrial Park", 121.250, 31.532, 1500, {"land": 5, "plant": 6, "other": 1}, ("new_materials", "port_logistics"), 30),
    Site("fuqiao", "浮桥工业园", "Fuqiao Industrial Park", 121.165, 31.615, 1500, {"land": 4, "plant": 4}, ("precision_machinery", "new_materials"), 38),
    Site("huangjing", "璜泾工业园", "Huangjing Industrial Park", 121.115, 31.680, 1500, {"land": 5, "plant": 4}, ("new_materials",), 38),
    Site("shuangfeng", "双凤工业园", "Shuangfeng Industrial Park", 121.043, 31.535, 1200, {"land": 4, "plant": 5}, ("auto_parts", "electronics"), 20),
    Site("ludu", "陆渡工业园", "Ludu Industrial Park", 121.200, 31.482, 1200, {"land": 3, "plant": 5, "other": 1}, ("electronics", "precision_machinery"), 25),
    Site("ludu", "陆渡商务区", "Ludu Business Quarter", 121.187, 31.471, 500, {"office": 2}, ("digital_services",)),
    Site("chengxiang", "城厢工业区", "Chengxiang Industrial Area", 121.090, 31.470, 1000, {"land": 2, "plant": 4}, ("electronics", "precision_machinery"), 15),
    Site("chengxiang", "城厢老城商圈", "Chengxiang Old Town Centre", 121.112, 31.452, 900, {"office": 5, "other": 1}, ("headquarters", "digital_services")),
    Site("loudong", "娄东商务中心", "Loudong Business Centre", 121.132, 31.458, 900, {"office": 6, "plant": 1}, ("headquarters", "digital_services")),
    Site("kejiao", "科教新城创新港", "Science and Education New Town Innovation Hub", 121.121, 31.437, 1200, {"office": 8, "other": 4}, ("rnd_services", "digital_services", "biomedicine")),
    Site("resort", "天镜湖商务区", "Tianjing Lake Business Quarter", 121.132, 31.424, 700, {"office": 2}, ("headquarters", "rnd_services")),
)

TOWERS = (
    ("金融中心", "Financial Centre"), ("国际商务中心", "International Business Centre"), ("科创大厦", "Innovation Tower"),
    ("总部大厦", "Headquarters Tower"), ("德企服务中心", "German Business Centre"), ("港城广场", "Port City Plaza"),
    ("娄江大厦", "Loujiang Tower"), ("现代服务大厦", "Modern Services Tower"), ("数字经济大厦", "Digital Economy Tower"),
    ("创业大楼", "Start-up Building"),
)
ROADS = ("郑和路", "娄江路", "上海路", "北京路", "宁波路", "东仓路", "太平路", "常胜路", "苏州路", "广州路",
         "青岛路", "沪太路", "滨江大道", "港城大道", "通港路", "杨林路", "德国大道", "科教路")

# Investors are invented by combining words; any likeness to a real company is accidental.
GERMAN_WORDS = (("Rhein", "Schwarzwald", "Bodensee", "Hansa", "Alpen", "Neckar", "Mosel", "Elbe", "Weser", "Isar", "Harz", "Eifel"),
                ("Präzisionstechnik", "Antriebstechnik", "Werkzeugbau", "Automotive", "Hydraulik", "Kunststofftechnik",
                 "Medizintechnik", "Logistik", "Materialtechnik", "Luftfahrttechnik", "Sensorik", "Maschinenbau"),
                ("GmbH", "AG", "GmbH & Co. KG", "SE"))
CHINESE_WORDS = (("苏州", "上海", "江苏", "浙江", "太仓", "昆山", "无锡", "南京", "深圳", "常州"),
                 ("精工", "新材", "航宇", "生物", "智造", "物流", "汽配", "医疗", "电子", "装备", "科技", "数据"),
                 ("科技有限公司", "股份有限公司", "实业有限公司", "集团有限公司"))
OTHER_WORDS = {
    "JP": (("Kansai", "Tokai", "Hokuriku", "Seto"), ("Precision", "Kogyo", "Seiki", "Electronics"), ("Co., Ltd.", "K.K.")),
    "US": (("Great Lakes", "Pacific", "Lone Star", "Mid-Atlantic"), ("Aerostructures", "Materials", "BioSystems", "Controls"), ("Inc.", "LLC", "Corp.")),
    "KR": (("Hanbit", "Saemaul", "Dongbang", "Haneul"), ("Motion", "Chemical", "Tech", "Parts"), ("Co., Ltd.",)),
    "FR": (("Loire", "Provence", "Alsace"), ("Aéro", "Matériaux", "Santé"), ("SAS", "SA")),
    "CH": (("Jura", "Engadin"), ("Feinmechanik", "Pharma"), ("AG",)),
}
PRODUCTS = {
    "precision_machinery": ("精密传动部件", "数控机床", "工业机器人减速器"),
    "auto_parts": ("汽车精密零部件", "新能源汽车电驱系统", "汽车安全系统"),
    "aerospace": ("航空复合材料构件", "航空发动机零部件", "民机内饰"),
    "new_materials": ("高性能复合材料", "特种工程塑料", "碳纤维制品"),
    "biomedicine": ("创新药物生产基地", "医疗器械", "生物试剂"),
    "port_logistics": ("港口冷链物流中心", "跨境电商物流仓", "汽车滚装物流中心"),
    "electronics": ("智能传感器", "功率半导体模块", "工业控制器"),
    "digital_services": ("数字化服务中心", "工业软件研发中心"),
    "headquarters": ("区域总部", "结算中心"),
    "rnd_services": ("研发中心", "检测认证中心"),
}
CATEGORY_SHARE = {Category.MANUFACTURING: 0.60, Category.TRADE_LOGISTICS: 0.15, Category.RND: 0.15, Category.OTHER: 0.10}
CATEGORY_SECTORS = {
    Category.MANUFACTURING: ("precision_machinery", "auto_parts", "aerospace", "new_materials", "biomedicine", "electronics"),
    Category.TRADE_LOGISTICS: ("port_logistics",),
    Category.RND: ("rnd_services", "biomedicine", "aerospace", "digital_services"),
    Category.OTHER: ("headquarters", "digital_services"),
}
CATEGORY_DISTRICTS = {
    Category.MANUFACTURING: {"port": 5, "hitech": 6, "shaxi": 2, "liuhe": 2, "fuqiao": 2, "huangjing": 2, "shuangfeng": 2, "ludu": 2, "chengxiang": 1},
    Category.TRADE_LOGISTICS: {"port": 6, "liuhe": 2, "fuqiao": 1},
    Category.RND: {"kejiao": 4, "hitech": 4, "resort": 1, "loudong": 1},
    Category.OTHER: {"loudong": 3, "chengxiang": 3, "kejiao": 2, "resort": 1, "port": 1},
}
CATEGORY_SPACE = {
    Category.MANUFACTURING: {CarrierKind.LAND: 0.5, CarrierKind.PLANT: 0.5},
    Category.TRADE_LOGISTICS: {CarrierKind.LAND: 0.5, CarrierKind.OTHER: 0.5},
    Category.RND: {CarrierKind.OFFICE: 0.6, CarrierKind.PLANT: 0.4},
    Category.OTHER: {CarrierKind.OFFICE: 1.0},
}
COUNTRY_SHARE = {"DE": 0.35, "CN": 0.40, "JP": 0.08, "US": 0.07, "KR": 0.04, "FR": 0.03, "CH": 0.03}
FINAL_STAGE_SHARE = {
    Stage.FIRST_CONTACT: 0.15, Stage.NEGOTIATING: 0.30, Stage.SIGNED: 0.20, Stage.REGISTERED: 0.10,
    Stage.APPROVAL: 0.08, Stage.CONSTRUCTION: 0.09, Stage.PRODUCTION: 0.08,
}
GRADE_SHARE = {"A+": 0.05, "A": 0.15, "B": 0.25, "C": 0.25, "D": 0.15, "E": 0.10, "F": 0.05}
STAFF_OF = "staff-{}"  # demo account of a district's investment staff


@dataclass
class Sample:
    """The sample: districts, and carrier and project states at each bi-monthly period (last = now)."""

    districts: list[dict]
    period_ends: list[dt.date]
    carrier_states: list[list[dict]]
    project_states: list[list[dict]]
    stop_reasons: dict[str, str] = field(default_factory=dict)  # code -> why it was put on hold or dropped
    # per project code: its pre-evaluation (see `gradings`): inputs, status, standard, the days proposed/confirmed
    gradings: dict[str, dict] = field(default_factory=dict)

    @property
    def carriers(self) -> list[dict]:
        return self.carrier_states[-1]

    @property
    def projects(self) -> list[dict]:
        return self.project_states[-1]


def period_ends(as_of: dt.date, periods: int) -> list[dt.date]:
    """Ends of the bi-monthly reporting periods, oldest first, the last being `as_of`."""
    ends = []
    year, month = as_of.year, as_of.month
    for _ in range(periods):
        ends.append(_month_end(year, month))
        month -= 2
        while month <= 0:
            month += 12
            year -= 1
    return sorted(ends)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def district_records() -> list[dict]:
    """The districts of data/districts.csv, with their approximate cells where the data has one."""
    cells = geo.approximate_district_cells()
    out = []
    with open(config.REPO_ROOT / "data" / "districts.csv", encoding="utf-8") as f:
        for order, row in enumerate(csv.DictReader(f)):
            cell = cells.get(row["approximate_cell"]) if row["approximate_cell"] else None
            out.append({
                "code": row["code"], "name_zh": row["name_zh"], "name_en": row["name_en"], "name_de": row.get("name_de") or None,
                "kind": row["kind"],
                "aliases": row["aliases"], "seat": Point(float(row["seat_lon"]), float(row["seat_lat"])),
                "seat_note": row["seat_note"], "boundary": cell, "boundary_approximate": True,
                "contact": row["contact"], "sort_order": order,
            })
    return out


class _Generator:
    def __init__(self, seed: int, as_of: dt.date, periods: int):
        self.rng = np.random.default_rng(seed)
        self.as_of = as_of
        self.ends = period_ends(as_of, periods)
        self.districts = {d["code"]: d for d in district_records()}
        self.used_cells: set[tuple[int, int]] = set()
        self.counters: dict[str, int] = {}

    # --- helpers -------------------------------------------------------------------------------
    def choice(self, options: dict):
        keys = list(options)
        p = np.array([float(options[k]) for k in keys])
        return keys[int(self.rng.choice(len(keys), p=p / p.sum()))]

    def lognormal(self, median: float, sigma: float, low: float, high: float) -> float:
        return float(np.clip(median * math.exp(self.rng.normal(0, sigma)), low, high))

    def next_number(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    @staticmethod
    def metres_to_degrees(lat: float) -> tuple[float, float]:
        """Degrees per metre east and north at this latitude (good to a few metres over a park)."""
        return 1 / (111_320 * math.cos(math.radians(lat))), 1 / 110_574

    def point_near(self, site: Site, spread: float = 0.5) -> Point:
        """A random point on land within the site (rejection sampling)."""
        dx, dy = self.metres_to_degrees(site.lat)
        for _ in range(200):
            r = site.radius_m * spread * self.rng.standard_normal(2)
            if math.hypot(*r) > site.radius_m:
                continue
            p = Point(site.lon + r[0] * dx, site.lat + r[1] * dy)
            if geo.land().contains(p):
                return p
        return Point(site.lon, site.lat)

    def parcel(self, site: Site, area_m2: float) -> Polygon:
        """A rectangle of about `area_m2` in a free cell of one city-wide grid, so no two parcels overlap.

        The grid is square (GRID_M) in a local metric frame; a parcel, turned to its park's road grid,
        is shrunk if needed to fit its cell. Only when the cells near a park run out (100k samples) do
        parcels share cells.
        """
        dx, dy = self.metres_to_degrees(31.5)  # one frame for the whole city keeps the grid consistent
        angle = math.radians(site.grid_angle)
        aspect = float(self.rng.uniform(1.0, 2.0))
        w, h = math.sqrt(area_m2 * aspect), math.sqrt(area_m2 / aspect)
        span = max(w * abs(math.cos(angle)) + h * abs(math.sin(angle)), w * abs(math.sin(angle)) + h * abs(math.cos(angle)))
        if span > GRID_M - 20:
            w, h = w * (GRID_M - 20) / span, h * (GRID_M - 20) / span
        i0, j0 = int(site.lon / dx // GRID_M), int(site.lat / dy // GRID_M)
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        turned = [(x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle)) for x, y in corners]

        def rectangle(i, j):
            cx, cy = (i + 0.5) * GRID_M, (j + 0.5) * GRID_M
            return Polygon([(round((cx + x) * dx, 6), round((cy + y) * dy, 6)) for x, y in turned])

        fallback = None
        for reach in (1.0, 1.5, 2.0):
            n = math.ceil(site.radius_m * reach / GRID_M)
            cells = [(i0 + i, j0 + j) for i in range(-n, n + 1) for j in range(-n, n + 1) if i * i + j * j <= n * n]
            for k in self.rng.permutation(len(cells)):
                cell = cells[k]
                if cell in self.used_cells and fallback is not None:
                    continue
                poly = rectangle(*cell)
                if not geo.land().contains(poly):
                    continue
                if cell in self.used_cells:
                    fallback = poly
                    continue
                self.used_cells.add(cell)
                return poly
        if fallback is not None:
            return fallback
        p = self.point_near(site, 0.2)
        return p.buffer(math.sqrt(area_m2 / math.pi) * dy, 8)

    # --- carriers ------------------------------------------------------------------------------
    def verified_on(self) -> dt.date:
        u = self.rng.random()
        if u < 0.70:
            days = int(self.rng.integers(0, 60))
        elif u < 0.85:
            days = int(self.rng.integers(60, 90))
        else:  # stale: not verified for more than 90 days
            days = int(self.rng.integers(100, 400))
        return self.as_of - dt.timedelta(days=days)

    def carrier(self, kind: CarrierKind) -> dict:
        weights = {i: s.weights.get(kind.value, 0) for i, s in enumerate(SITES) if s.weights.get(kind.value, 0)}
        site = SITES[self.choice(weights)]
        district = self.districts[site.district]
        n = self.next_number(kind.value)
        number_in_site = self.next_number(f"{site.name_zh}/{kind.value}")
        rec: dict[str, Any] = {
            "code": f"TC-{KIND_LETTER[kind]}-{n:06d}",
            "kind": kind.value,
            "district": site.district,
            "address": f"太仓市{district['name_zh']}{ROADS[int(self.rng.integers(len(ROADS)))]}{int(self.rng.integers(1, 400))}号",
            "industries": sorted(set(site.industries[: int(self.rng.integers(1, len(site.industries) + 1))])),
            "is_public": bool(self.rng.random() < 0.92),
            "contact": district["contact"],
            "verified_on": self.verified_on(),
            "source": SOURCE,
        }
        premium = 1.15 if site.district in ("hitech", "port", "kejiao") else 1.0
        if kind is CarrierKind.LAND:
            area = self.lognormal(30, 0.7, 8, 180) * M2_PER_MU
            geom = self.parcel(site, area)
            area = round(geom.area / (self.metres_to_degrees(site.lat)[0] * self.metres_to_degrees(site.lat)[1]), 0)
            status = self.choice({"available": 45, "reserved": 15, "occupied": 30, "planned": 10})
            rec |= {
                "name": f"{site.name_zh}{number_in_site}号地块",
                "name_en": f"{site.name_en}, plot {number_in_site}",
                "geometry": geom,
                "area_m2": area,
                "leasable_m2": area,
                "vacant_m2": 0.0 if status == "occupied" else area,
                "status": status,
                "land_use_code": "W1" if "port_logistics" in site.industries and self.rng.random() < 0.6 else self.choice({"M1": 8, "M2": 2}),
                "plot_ratio": round(float(self.rng.uniform(1.0, 2.5)), 1),
                "land_price_wan_mu": round(self.lognormal(48 * premium, 0.2, 30, 95), 1),
            }
        elif kind is CarrierKind.PLANT:
            area = round(self.lognormal(8000, 0.7, 1000, 60000), -1)
            floors = int(self.choice({1: 60, 2: 20, 3: 12, 4: 8}))
            single = floors == 1
            rec |= {
                "name": f"{site.name_zh}{number_in_site}号厂房",
                "name_en": f"{site.name_en}, plant building {number_in_site}",
                "geometry": self.point_near(site),
                "area_m2": area,
                "floors": floors,
                "clear_height_m": round(float(self.rng.uniform(8, 12) if single else self.rng.uniform(4.5, 6.5)), 1),
                "floor_load_kn_m2": float(self.rng.choice([30, 40, 50]) if single else self.rng.choice([8, 10, 12, 15])),
                "crane_t": float(self.rng.choice([5, 10, 16, 20, 32])) if single and self.rng.random() < 0.5 else 0.0,
                "power_kva": float(round(area * self.rng.uniform(0.08, 0.15), -2) or 100),
                "rent_cny_m2_month": round(self.lognormal(28 * premium, 0.15, 18, 45), 1),
            } | self.occupancy(area, planned_share=0.05)
        elif kind is CarrierKind.OFFICE:
            area = round(self.lognormal(18000, 0.6, 5000, 90000), -2)
            grade = self.choice({"A": 40, "B": 40, "C": 20})
            tower_zh, tower_en = TOWERS[int(self.rng.integers(len(TOWERS)))]
            block = "ABCDEFG"[number_in_site % 7]
            base_rent = {"A": 60, "B": 45, "C": 35}[grade]
            rec |= {
                "name": f"{site.name_zh}{tower_zh}{block}座",
                "name_en": f"{tower_en} {block}, {site.name_en}",
                "geometry": self.point_near(site, 0.4),
                "area_m2": area,
                "floors": int(self.rng.integers(8, 33)),
                "office_grade": OfficeGrade(grade).value,
                "rent_cny_m2_month": round(self.lognormal(base_rent * premium, 0.12, 25, 95), 1),
                "property_fee_cny_m2_month": round(float(self.rng.uniform(4, 15)), 1),
            } | self.occupancy(area, planned_share=0.03, full_share=0.15, vacancy_range=(0.05, 0.4))
        else:
            logistics = "port_logistics" in site.industries
            area = round(self.lognormal(15000 if logistics else 5000, 0.5, 1500, 60000), -1)
            rec |= {
                "name": f"{site.name_zh}{number_in_site}号{'仓库' if logistics else '孵化器'}",
                "name_en": f"{site.name_en}, {'warehouse' if logistics else 'incubator'} {number_in_site}",
                "geometry": self.point_near(site),
                "area_m2": area,
                "floors": 1 if logistics else int(self.rng.integers(2, 7)),
                "clear_height_m": round(float(self.rng.uniform(9, 12) if logistics else self.rng.uniform(4, 5.5)), 1),
                "floor_load_kn_m2": 30.0 if logistics else 8.0,
                "rent_cny_m2_month": round(self.lognormal(26 if logistics else 38, 0.15, 15, 70), 1),
            } | self.occupancy(area, planned_share=0.05)
        return rec

    def occupancy(self, area: float, planned_share: float, full_share: float = 0.35, vacancy_range=(0.05, 0.5)) -> dict:
        leasable = round(area * float(self.rng.uniform(0.92, 1.0)), -1)
        u = self.rng.random()
        if u < planned_share:
            return {"leasable_m2": leasable, "vacant_m2": leasable, "status": CarrierStatus.PLANNED.value}
        if u < planned_share + full_share:
            return {"leasable_m2": leasable, "vacant_m2": 0.0, "status": CarrierStatus.OCCUPIED.value}
        if u < planned_share + full_share + 0.08:
            return {"leasable_m2": leasable, "vacant_m2": leasable, "status": CarrierStatus.AVAILABLE.value}
        vacant = round(leasable * float(self.rng.uniform(*vacancy_range)), -1)
        return {"leasable_m2": leasable, "vacant_m2": vacant, "status": CarrierStatus.PARTIAL.value}

    def carrier_history(self, final: dict) -> list[dict | None]:
        """The record at each period end (None before it was listed); the last state is `final`."""
        periods = len(self.ends)
        listed = 0 if self.rng.random() < 0.7 else int(self.rng.integers(1, periods))
        vacancies = [final["vacant_m2"]]  # walking backwards from today
        for _ in range(periods - listed - 1):
            earlier = vacancies[-1]
            if self.rng.random() < 0.35:
                earlier = self.earlier_vacancy(final, earlier)
            vacancies.append(earlier)
        vacancies.reverse()
        states: list[dict | None] = [None] * listed
        verified = None
        for k, vacant in enumerate(vacancies):
            end = self.ends[listed + k]
            if k == len(vacancies) - 1:
                verified = final["verified_on"]
            elif k == 0 or vacant != vacancies[k - 1]:  # staff check a record when its occupancy changes
                verified = end - dt.timedelta(days=int(self.rng.integers(0, 30)))
            states.append(dict(final, vacant_m2=vacant, status=self.status_for(final, vacant), verified_on=verified))
        return states

    def earlier_vacancy(self, final: dict, later: float) -> float:
        """Vacancy one period before: land sold since was on offer; buildings had somewhat more space."""
        leasable = final["leasable_m2"]
        if final["kind"] == CarrierKind.LAND.value:
            return leasable
        step = float(self.rng.normal(0.06, 0.15)) * leasable
        return float(np.clip(round(later + step, -1), 0, leasable))

    @staticmethod
    def status_for(final: dict, vacant: float) -> str:
        if final["status"] in (CarrierStatus.PLANNED.value, CarrierStatus.RESERVED.value):
            return final["status"]
        if vacant <= 0:
            return CarrierStatus.OCCUPIED.value
        if vacant >= final["leasable_m2"] or final["kind"] == CarrierKind.LAND.value:
            return CarrierStatus.AVAILABLE.value
        return CarrierStatus.PARTIAL.value

    # --- projects ------------------------------------------------------------------------------
    @staticmethod
    def lead_facts(n: int, stage: Stage, amount: float) -> dict[str, Any]:
        """The valid-lead facts of project n and, once it produces, the investment actually formed. Drawn from
        a generator of their own (seeded by n), so adding them left every other drawn value as it was."""
        rng = np.random.default_rng(10_007 + n)
        step = list(Stage).index(stage)
        facts: dict[str, Any] = {}
        if rng.random() < 0.85:  # some districts leave the facts blank: not known
            facts["has_feasibility_study"] = bool(rng.random() < 0.25 + 0.15 * step)
            facts["decision_level_visit"] = bool(rng.random() < 0.35 + 0.15 * step)
            facts["is_technical_upgrade"] = bool(rng.random() < 0.12)
        if stage is Stage.PRODUCTION:
            facts["actual_investment_wan"] = float(round(amount * rng.uniform(0.6, 1.05), -1))
        return facts

    def investor(self, country: str) -> str:
        words = GERMAN_WORDS if country == "DE" else CHINESE_WORDS if country == "CN" else OTHER_WORDS[country]
        a, b, c = (w[int(self.rng.integers(len(w)))] for w in words)
        return f"{a}{b}{c}" if country == "CN" else f"{a} {b} {c}"

    def project(self, n: int, carriers_by_district: dict) -> dict:
        category = self.choice(CATEGORY_SHARE)
        sector = CATEGORY_SECTORS[category][int(self.rng.integers(len(CATEGORY_SECTORS[category])))]
        country = self.choice(COUNTRY_SHARE)
        district = self.choice(CATEGORY_DISTRICTS[category])
        origin = district if self.rng.random() < 0.85 else self.choice({d: 1 for d in self.districts if d != district})
        space = self.choice(CATEGORY_SPACE[category])
        median = {Category.MANUFACTURING: 30000, Category.TRADE_LOGISTICS: 20000, Category.RND: 8000, Category.OTHER: 5000}[category]
        cny_wan = self.lognormal(median, 0.9, 1000, 500000)
        currency = "CNY" if country == "CN" else self.choice({"EUR": 6, "USD": 4}) if country in ("DE", "FR", "CH") else "USD"
        amount = round(cny_wan / FX_TO_CNY[currency], -1 if cny_wan < 20000 else -2)
        investor = self.investor(country)
        product = PRODUCTS[sector][int(self.rng.integers(len(PRODUCTS[sector])))]
        final_stage = self.choice(FINAL_STAGE_SHARE)
        # the stage timeline: each stage 30-120 days after the one before, the last one before as_of
        steps = list(Stage)[: list(Stage).index(final_stage) + 1]
        gaps = [int(self.rng.integers(30, 121)) for _ in steps[1:]]
        reported = self.as_of - dt.timedelta(days=sum(gaps) + int(self.rng.integers(5, 90)))
        timeline = [(reported, Stage.FIRST_CONTACT)]
        for stage, gap in zip(steps[1:], gaps):
            timeline.append((timeline[-1][0] + dt.timedelta(days=gap), stage))
        rec: dict[str, Any] = {
            "code": f"TC-PJ-{n:05d}",
            "name": f"{investor}{' ' if country != 'CN' else ''}{product}项目",
            "investor": investor,
            "investor_country": country,
            "category": category.value,
            "sector": sector,
            "investment_wan": float(amount),
            "currency": currency,
            "space_kind": space.value,
            "stage": timeline[-1][1].value,
            "district": district,
            "origin_district": origin,
            "reported_by": STAFF_OF.format(origin),
            "reported_on": reported,
            "is_confidential": True,
            "wanted_by": reported + dt.timedelta(days=int(self.rng.integers(180, 540))),
        }
        if space is CarrierKind.LAND:
            rec["land_needed_mu"] = round(self.lognormal(40, 0.6, 8, 200), 0)
        else:
            median_area = {CarrierKind.PLANT: 8000, CarrierKind.OFFICE: 1500, CarrierKind.OTHER: 10000}[space]
            rec["floor_area_needed_m2"] = round(self.lognormal(median_area, 0.6, 300, 60000), -1)
        if space in (CarrierKind.PLANT, CarrierKind.OTHER, CarrierKind.LAND) and category is not Category.OTHER:
            rec["clear_height_needed_m"] = float(self.rng.choice([6, 8, 9, 10, 12]))
            rec["floor_load_needed_kn_m2"] = float(self.rng.choice([10, 20, 30, 40]))
            rec["power_needed_kva"] = float(round(self.lognormal(1250, 0.6, 200, 10000), -1))
            if self.rng.random() < 0.35:
                rec["crane_needed_t"] = float(self.rng.choice([5, 10, 16, 20]))
        needs = []
        if rec.get("crane_needed_t"):
            needs.append(f"行车 {rec['crane_needed_t']:.0f} t")
        if rec.get("power_needed_kva", 0) > 2000:
            needs.append("双回路供电")
        if sector in ("biomedicine", "new_materials"):
            needs.append("环评等级: 报告书")
        rec["tech_needs"] = "；".join(needs) or None
        rec.update(self.lead_facts(n, timeline[-1][1], float(amount)))
        if timeline[-1][1] is not Stage.FIRST_CONTACT and self.rng.random() < 0.8:
            rec["grade"] = self.choice(GRADE_SHARE)
        settled = STAGE_GROUP[Stage(rec["stage"])] is StageGroup.SETTLED
        candidates = carriers_by_district.get((district, space.value)) or []
        if settled and candidates:
            carrier = candidates[int(self.rng.integers(len(candidates)))]
            rec["carrier_code"] = carrier["code"]
            g = carrier["geometry"]
            rec["geometry"] = g if g.geom_type == "Point" else g.point_on_surface()
        else:
            sites = [s for s in SITES if s.district == district] or [None]
            site = sites[int(self.rng.integers(len(sites)))]
            rec["geometry"] = self.point_near(site, 0.6) if site else self.districts[district]["seat"]
        rec["_timeline"] = timeline
        return rec


NEGOTIABLE_EVERY = 25  # every 25th carrier of a kind that is on offer quotes 面议 instead of a price


def _negotiable_price(rec: dict) -> None:
    """Mark some carriers' price negotiable (面议), chosen by their number: no random draw, so every other
    value of the sample stays as it was."""
    if rec["status"] == CarrierStatus.OCCUPIED.value or int(rec["code"].rsplit("-", 1)[1]) % NEGOTIABLE_EVERY:
        return
    rec["land_price_wan_mu" if rec["kind"] == CarrierKind.LAND.value else "rent_cny_m2_month"] = None
    rec["price_negotiable"] = True


def generate(n_carriers: int = 1500, n_projects: int = 300, *, seed: int = SEED, as_of: dt.date = AS_OF,
             periods: int = PERIODS, history: bool = True) -> Sample:
    """The sample; without `history` only the final state is built (fast, for benchmarks)."""
    g = _Generator(seed, as_of, periods if history else 1)
    kinds = list(KIND_SHARE)
    counts = np.floor(np.array([KIND_SHARE[k] for k in kinds]) * n_carriers).astype(int)
    counts[1] += n_carriers - counts.sum()  # rounding remainder to plant buildings
    finals = [g.carrier(kind) for kind, count in zip(kinds, counts) for _ in range(count)]
    order = g.rng.permutation(len(finals))
    finals = [finals[i] for i in order]
    for c in finals:
        _negotiable_price(c)
    by_district: dict[tuple[str, str], list[dict]] = {}
    for c in finals:
        by_district.setdefault((c["district"], c["kind"]), []).append(c)
    projects = [g.project(i + 1, by_district) for i in range(n_projects)]
    # the grade drawn for a project is the target its indicator values are made for; its grade is what the
    # default standard then computes from them, and only a confirmed one is the project's grade
    made = gradings(projects, {p["code"]: p.pop("grade", None) for p in projects}, as_of)

    n_periods = len(g.ends)
    carrier_states: list[list[dict]] = [[] for _ in range(n_periods)]
    for final in finals:
        for k, state in enumerate(g.carrier_history(final) if history else [final]):
            if state is not None:
                carrier_states[k].append(state)
    project_states: list[list[dict]] = [[] for _ in range(n_periods)]
    life = _PipelineLife(seed, g.ends)
    for p in projects:
        timeline = life.timeline(p, p.pop("_timeline"))
        raised_from = life.amount_raised_from(n_periods)
        for k, end in enumerate(g.ends):
            reached = [stage for when, stage in timeline if when <= end]
            if not reached:
                continue
            state = dict(p, stage=reached[-1].value)
            if raised_from is not None and k >= raised_from and not is_missing(p.get("investment_wan")):
                state["investment_wan"] = float(round(p["investment_wan"] * 1.25, -1))
            if STAGE_GROUP.get(reached[-1]) is not StageGroup.SETTLED:
                state.pop("carrier_code", None)
            project_states[k].append(state)
    data = Sample(list(g.districts.values()), g.ends, carrier_states, project_states, life.stop_reasons, made)
    set_grades(data, grading.DEFAULT_RULES)
    return data


_TARGET_SHARE = {"A+": 0.96, "A": 0.86, "B": 0.76, "C": 0.66, "D": 0.56, "E": 0.46, "F": 0.3}


def _value_for(share: float, item: dict) -> Any:
    """A value of an indicator earning about `share` of its weight under its scoring (the inverse of scoring)."""
    if item["scoring"] == "choice":
        return min(item["options"], key=lambda o: abs(item["options"][o] - 100 * share))
    if item["scoring"] == "ratio":
        return share * item["benchmark"]
    pct = 100 * share
    for (x0, p0), (x1, p1) in zip(item["points"], item["points"][1:]):
        if p0 <= pct <= p1 and p1 > p0:
            return x0 + (x1 - x0) * (pct - p0) / (p1 - p0)
    return item["points"][-1][0] if pct >= item["points"][-1][1] else item["points"][0][0]


def gradings(projects: list[dict], targets: dict[str, str | None], as_of: dt.date = AS_OF) -> dict[str, dict]:
    """The sample's pre-evaluations: for each project past first contact that has a target grade, indicator
    values made to land near it under the default standard of its category (total investment is the
    project's own), a veto for some F projects, the documents; most confirmed by the office, some only
    proposed, some saved with values missing (not rated yet). A few ask for city support. Drawn from
    generators of their own (seeded by the project's number), so every other drawn value stays as it was."""
    out = {}
    for p in projects:
        n = int(p["code"].rsplit("-", 1)[1])
        rng = np.random.default_rng(20_011 + n)
        target = targets.get(p["code"])
        if target is None or p["_timeline"][-1][1] is Stage.FIRST_CONTACT:
            continue
        key = grading.standard_of(grading.DEFAULT_RULES, p["category"])
        standard = grading.DEFAULT_RULES["standards"][key]
        values: dict[str, Any] = {}
        for item in standard["indicators"]:
            share = float(np.clip(_TARGET_SHARE[target] + rng.normal(0, 0.08), 0, 1))
            value = _value_for(share, item)
            values[item["indicator"]] = value if isinstance(value, str) else float(round(value, 0 if value >= 100 else 1))
        values["investment_cny_wan"] = float(round(investment_cny_wan(p["investment_wan"], p["currency"]), -1))
        vetoes = [str(rng.choice(["environment", "energy", "fake_project"]))] if target == "F" and rng.random() < 0.6 else []
        draw = rng.random()
        status = "saved" if draw < 0.1 else "proposed" if draw < 0.2 else "confirmed"
        if status == "saved":  # the district has not got every figure yet
            for name in rng.choice([i["indicator"] for i in standard["indicators"]], size=int(rng.integers(1, 3)), replace=False):
                values.pop(str(name))
        proposed_on = as_of - dt.timedelta(days=int(rng.integers(12, 90)))
        out[p["code"]] = {"inputs": grading.normalized_inputs(values, vetoes, grading.DOCUMENTS), "status": status,
                          "standard": key, "proposed_on": proposed_on,
                          "confirmed_on": min(as_of, proposed_on + dt.timedelta(days=int(rng.integers(2, 10)))),
                          "support_draw": float(rng.random()), "support_share": float(rng.uniform(0.02, 0.06))}
    return out


def set_grades(data: Sample, rules: dict) -> None:
    """Grade the sample's evaluations under `rules` (the standards in force): each project's `grade` in every
    state past first contact is its confirmed grade (None otherwise); some projects graded B or better, and a
    few below, ask for city support (an amount of 2–6 % of the investment)."""
    for made in data.gradings.values():
        made["grade"] = grading.grade_with(made["inputs"], rules, grading.standard_of(rules, made["standard"]), None).grade
    for state in data.project_states:
        for rec in state:
            made = data.gradings.get(rec["code"])
            confirmed = made is not None and made["status"] == "confirmed"
            rec["grade"] = made["grade"] if confirmed and rec["stage"] != Stage.FIRST_CONTACT.value else None
            asks = confirmed and made["support_draw"] < (0.15 if grading.at_least(made["grade"], "B") else 0.05)
            rec["city_support_requested"] = True if asks else (False if made is not None else None)
            amount = investment_cny_wan(rec["investment_wan"], rec["currency"]) * (made or {}).get("support_share", 0)
            rec["city_support_wan"] = float(max(50.0, round(amount, -1))) if asks else None


class _PipelineLife:
    """What happens to projects besides moving forward, so the reports have something to say: a few are put on
    hold or dropped (with a reason), a few stall (their steps came early and nothing since), a few raise their
    amount in a later period. Drawn from a generator of its own, so every other drawn value stays as it was."""

    HOLD, DROP, STALL, RAISE = 0.05, 0.04, 0.10, 0.08

    def __init__(self, seed: int, ends: list[dt.date]):
        self.rng = np.random.default_rng(seed + 9173)
        self.ends = ends
        self.stop_reasons: dict[str, str] = {}

    def timeline(self, project: dict, timeline: list[tuple[dt.date, Stage]]) -> list[tuple[dt.date, Stage]]:
        last_day, last_stage = timeline[-1]
        roll = self.rng.random()
        if last_stage in (Stage.NEGOTIATING, Stage.SIGNED, Stage.FIRST_CONTACT) and roll < self.HOLD + self.DROP:
            day = min(last_day + dt.timedelta(days=int(self.rng.integers(30, 80))), self.ends[-1] - dt.timedelta(days=3))
            if day > last_day:
                stop = Stage.ON_HOLD if roll < self.HOLD else Stage.DROPPED
                self.stop_reasons[project["code"]] = ("no_site", "investor_withdrew", "policy", "moved_city")[int(self.rng.integers(4))]
                return [*timeline, (day, stop)]
        elif last_stage in (Stage.FIRST_CONTACT, Stage.NEGOTIATING) and roll < self.HOLD + self.DROP + self.STALL:
            shift = dt.timedelta(days=150)  # the same steps, five months earlier: no progress for two periods since
            project["reported_on"] = timeline[0][0] - shift
            return [(when - shift, stage) for when, stage in timeline]
        return timeline

    def amount_raised_from(self, n_periods: int) -> int | None:
        """The period from which the project's amount is a quarter higher (None: it never changes)."""
        if n_periods < 2 or self.rng.random() >= self.RAISE:
            return None
        return int(self.rng.integers(max(1, n_periods - 3), n_periods))


# The bi-monthly reports the sample's districts have sent: the last two periods', by most districts on time;
# one district sent the earlier one late, and two have not sent the latest (so "late" shows).
REPORTED_PERIODS = 2
REPORT_SENT_LATE = ("shaxi",)
REPORT_NOT_SENT = ("liuhe", "shuangfeng")


def report_schedule(period_ends: list[dt.date], district_codes, due_of) -> list[tuple[dt.date, str, dt.datetime]]:
    """When each district sent its report of the sample's last `REPORTED_PERIODS` periods: (period end,
    district, moment in naive UTC), in the order sent. `due_of(end)` is the due date of the period ending
    then. On time: a few days before the due date, at 10:00 Taicang time; late: three days after it."""
    out = []
    ends = period_ends[-REPORTED_PERIODS:]
    for end in ends:
        due = due_of(end)
        for i, district in enumerate(district_codes):
            if end == ends[-1] and district in REPORT_NOT_SENT:
                continue
            late = end != ends[-1] and district in REPORT_SENT_LATE
            day = due + dt.timedelta(days=3) if late else due - dt.timedelta(days=1 + i % 5)
            local = dt.datetime.combine(day, dt.time(10, 0)) + dt.timedelta(minutes=7 * i)
            out.append((end, district, local - dt.timedelta(hours=8)))  # Taicang is UTC+8 all year
    return sorted(out, key=lambda row: row[2])


# Who else brings projects (信息首报): city departments, partner organisations and individual referrers.
REFERRING_DEPARTMENTS = ("太仓市商务局", "太仓市科技局", "太仓市工业和信息化局", "太仓市发展和改革委员会")
REFERRING_PARTNERS = ("太仓市德国商会", "中德企业合作服务中心", "上海某投资咨询有限公司", "太仓驻深圳招商联络处")
REFERRERS = (("王立", "太仓市商务局"), ("陈静", None), ("Thomas Weber", None), ("刘洋", "太仓市科技局"), ("赵敏", None))


def first_reports(projects: list[dict], as_of: dt.date = AS_OF, *, seed: int = SEED) -> list[dict]:
    """Who registered the sample's projects first (信息首报), as registrations for
    `heatmap.pipeline.firstreports.book`: most by the district that first met the investor, a few by city
    departments, partner organisations and individual referrers (some of them state employees), a few later
    second registrations; the hosting district confirms most referrals, some still wait. Times are naive UTC,
    on working days' mornings after the project was first reported; drawn from a generator of their own."""
    rng = np.random.default_rng(seed + 4242)
    last = dt.datetime.combine(as_of, dt.time(9, 0))
    out = []

    def moment(day: dt.date, after_days: tuple[int, int] = (0, 1)) -> dt.datetime:
        at = dt.datetime.combine(day, dt.time(1, 0)) + dt.timedelta(days=int(rng.integers(*after_days)),
                                                                     minutes=int(rng.integers(0, 480)))
        return min(at, last)

    def registration(p: dict, at: dt.datetime, who: float) -> dict:
        host = p["district"]
        if who < 0.7:
            kind, name, unit, state = "district", p["origin_district"], "", False
        elif who < 0.82:
            kind, name, unit, state = "department", REFERRING_DEPARTMENTS[int(rng.integers(len(REFERRING_DEPARTMENTS)))], "", False
        elif who < 0.92:
            kind, name, unit, state = "partner", REFERRING_PARTNERS[int(rng.integers(len(REFERRING_PARTNERS)))], "", False
        else:
            name, unit = REFERRERS[int(rng.integers(len(REFERRERS)))]
            kind, state, unit = "individual", unit is not None, unit or ""
        own = kind == "district" and name == host
        reg = {"project_code": p["code"], "district": host, "registrant_kind": kind, "registrant": name, "unit": unit,
               "state_employee": state, "note": "", "at": at,
               "recorded_by": STAFF_OF.format(name) if kind == "district" else STAFF_OF.format(host)}
        if own:  # the hosting district registered it itself: its confirmation goes with it
            reg |= {"confirmed_at": at, "confirmed_by": STAFF_OF.format(host)}
        elif rng.random() < 0.75:
            reg |= {"confirmed_at": moment(at.date(), (3, 40)), "confirmed_by": STAFF_OF.format(host)}
        if kind == "individual" and rng.random() < 0.5:  # the note is completed a day later
            reg |= {"corrected_at": min(at + dt.timedelta(days=1), reg.get("confirmed_at") or last),
                    "corrected_note": "补充：已提供投资计划书"}
        return reg

    for p in sorted(projects, key=lambda p: p["code"]):
        if rng.random() < 0.15:  # nobody registered it
            continue
        at = moment(p["reported_on"])
        out.append(registration(p, at, rng.random()))
        if rng.random() < 0.1:  # someone else registered it too, later: the earlier one stays first
            out.append(registration(p, moment(at.date(), (10, 60)), 0.7 + 0.3 * rng.random()))
    return out


# The sample's transfers, through the steps (days before the load): (role, steps). Each step is (kind, days
# ago, who: "origin" / "receiver" / "office"); "settle" is the destination reporting the project registered.
TRANSFER_STORIES = (
    ("settled", (("propose", 25, "origin"), ("accept", 20, "receiver"), ("settle", 8, "receiver"))),
    ("waiting", (("propose", 3, "origin"),)),
    ("declined", (("propose", 15, "origin"), ("decline", 12, "receiver"))),
    ("stale", (("propose", 40, "origin"),)),
    ("referred", (("propose_to_pool", 10, "origin"), ("refer", 9, "office"))),
)
TRANSFER_REASONS = {"settled": "no_land", "waiting": "wrong_industry", "declined": "no_space", "stale": "investor_wish",
                    "referred": "no_land"}


def transfer_plan(projects: list[dict], district_codes: list[str]) -> list[dict]:
    """Which sample projects the transfer stories tell, and to whom: a project still looking for its place
    (negotiating or signed) per story, each from another district, handed to the next district in the list.
    Deterministic: projects by code."""
    used: set[str] = set()
    out = []
    candidates = sorted((p for p in projects if p["stage"] in (Stage.NEGOTIATING, Stage.SIGNED)), key=lambda p: p["code"])
    for story, steps in TRANSFER_STORIES:
        want_signed = story == "settled"  # a signed project is the one that settles next
        project = next(p for p in candidates if p["district"] not in used and (p["stage"] == Stage.SIGNED) == want_signed)
        used.add(project["district"])
        origin = project["district"]
        receiver = district_codes[(district_codes.index(origin) + 1) % len(district_codes)]
        out.append({"story": story, "project_code": project["code"], "origin": origin, "receiver": receiver,
                    "reason": TRANSFER_REASONS[story], "steps": steps})
    return out


def demo_accounts(district_codes) -> list[dict]:
    """Demo accounts (README lists them): one leader, the investment office, an administrator (rules,
    accounts) and the investment staff of every district. They carry no display name: the sidebar names them
    by user name, role and district in the page's language."""
    accounts = [{"username": "leader", "role": "leader", "district": None, "display_name": None},
                {"username": "office", "role": "office", "district": None, "display_name": None},
                {"username": "admin", "role": "admin", "district": None, "display_name": None}]
    accounts += [
        {"username": STAFF_OF.format(code), "role": "staff", "district": code, "display_name": None}
        for code in district_codes
    ]
    return accounts
