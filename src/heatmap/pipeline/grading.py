"""Pre-evaluation (项目事前评价, seed 二(二)): seven grades A+, A, B, C, D, E, F from a project's indicator values
and the evaluation standard of its industry category.

A standard is data (the rules document "grading", versioned like every rule): per category its indicators,
how each one scores, their weights (summing to 100), the veto items (一票否决: any one forces F), the cut-offs
of the grades and the documents a grade needs. An administrator edits them and may add a category's standard.

How an indicator scores (`scoring`), always as a share (0–100 %) of its weight:
- "piecewise": points [[value, %], …] with rising values: below the first value its %, above the last one
  the last % (100: the full-mark threshold), straight lines in between (寿县's full-mark thresholds);
- "ratio": value ÷ benchmark, at most 1 (淮安's 亩均 score: value ÷ benchmark × weight);
- "choice": a % per option of a choice indicator (寿县: encouraged 10 / allowed 5 / restricted 0 points).

`grade(inputs, standard)` is exact: values and settings are read as decimal fractions (`Fraction`), so the
score, and with it the grade, is recomputed identically from the same indicator values and the same version
of the standard, and a score on a cut-off is in the grade above it. Inputs are
{"values": {indicator: number | option}, "vetoes": [veto, …], "documents": [document provided, …]}. A missing
indicator value or a missing document gives "not rated yet" (grade None) naming what is missing, never a
guess; a veto gives F whatever else is missing (it is decisive on its own).
"""
from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from heatmap import i18n
from heatmap.model import GRADES, Category, is_missing
from heatmap.pipeline.reasons import Reason

RULES_NAME = "grading"
GRADED_CUTOFFS = GRADES[:-1]  # A+ … E have a cut-off; below E's (or vetoed) is F
SCORINGS = ("piecewise", "ratio", "choice")

# The indicators a standard may use: numbers (with their unit, in the name) or choices (with their options).
NUMBER_INDICATORS = (
    "investment_intensity_wan_mu",  # 投资强度: fixed-asset investment per 亩 of land, 万元/亩
    "tax_per_mu_wan",  # 亩均税收 expected, 万元/亩·年
    "output_per_mu_wan",  # 亩均产出 (sales / output) expected, 万元/亩·年
    "investment_cny_wan",  # 总投资, 万元 CNY
    "rnd_share_pct",  # R&D spending as a share of sales, %
    "jobs",  # new jobs, persons
)
CHOICE_INDICATORS: dict[str, tuple[str, ...]] = {
    "industry_fit": ("encouraged", "allowed", "restricted"),  # fit with Taicang's industrial direction
    "investor_strength": ("leading", "strong", "ordinary", "weak"),  # 投资方实力 (衢州: check it against fake projects)
}
INDICATORS = (*NUMBER_INDICATORS, *CHOICE_INDICATORS)
# Veto items (一票否决). 衢州: environment, safety or energy problems that cannot be solved, and fake or
# packaged projects (investor strength checked); eliminated industries: the national catalogue's 淘汰类.
VETOES = ("environment", "safety", "energy", "fake_project", "eliminated_industry")
# Documents a grade needs (团风: application, feasibility study, investor's licence and two years' results,
# site-visit report).
DOCUMENTS = ("application", "feasibility_study", "investor_licence", "financial_statements", "site_visit_report")
BUILT_IN = tuple(c.value for c in Category)
_KEY = re.compile(r"[a-z][a-z0-9_]{1,29}")


def _piecewise(*points: tuple[float, float]) -> dict[str, Any]:
    return {"scoring": "piecewise", "points": [list(p) for p in points]}


def _ratio(benchmark: float) -> dict[str, Any]:
    return {"scoring": "ratio", "benchmark": benchmark}


_FIT = {"scoring": "choice", "options": {"encouraged": 100, "allowed": 50, "restricted": 0}}  # 寿县 10 / 5 / 0
_STRENGTH = {"scoring": "choice", "options": {"leading": 100, "strong": 70, "ordinary": 40, "weak": 0}}  # our reading
# Seven grades: no published source uses seven bins (pipeline-rules.md); ten points a grade from 90 down is
# this app's default reading of the seed, for an administrator to change.
_CUTOFFS = {"A+": 90, "A": 80, "B": 70, "C": 60, "D": 50, "E": 40}
_ALL_VETOES = list(VETOES)
_ALL_DOCUMENTS = list(DOCUMENTS)


def _standard(indicators: dict[str, tuple[float, dict[str, Any]]]) -> dict[str, Any]:
    return {"indicators": [{"indicator": key, "weight": weight, **scoring} for key, (weight, scoring) in indicators.items()],
            "vetoes": list(_ALL_VETOES), "documents": list(_ALL_DOCUMENTS), "cutoffs": dict(_CUTOFFS)}


DEFAULT_RULES: dict[str, Any] = {
    "standards": {
        # 团风's 100-point rubric gives investment intensity 17, investment size 17, investor strength 10, jobs 5,
        # tax 16 and industry category + technology + planning 15; 淮安 weighs tax per 亩 45 : sales per 亩 35.
        # 寿县: output intensity full at ≥ 400 万元/亩, tax intensity full at ≥ 10 万元/亩 (linear from 0 here).
        # The investment-intensity thresholds (300 / 500 万元/亩) and the size benchmark (2 亿元) are this app's
        # defaults for an industrial city like Taicang, not a published figure.
        "manufacturing": _standard({
            "investment_intensity_wan_mu": (17, _piecewise((0, 0), (300, 60), (500, 100))),
            "tax_per_mu_wan": (20, _piecewise((0, 0), (10, 100))),
            "output_per_mu_wan": (18, _piecewise((0, 0), (400, 100))),
            "investment_cny_wan": (10, _ratio(20_000)),
            "rnd_share_pct": (5, _piecewise((0, 0), (3, 100))),
            "jobs": (5, _piecewise((0, 0), (200, 100))),
            "industry_fit": (15, _FIT),
            "investor_strength": (10, _STRENGTH),
        }),
        # 物贸 (trade and logistics): tax and turnover weigh most (淮安's 亩均 weights), land intensity less.
        "trade_logistics": _standard({
            "investment_intensity_wan_mu": (15, _piecewise((0, 0), (200, 100))),
            "tax_per_mu_wan": (25, _piecewise((0, 0), (15, 100))),
            "output_per_mu_wan": (20, _piecewise((0, 0), (600, 100))),
            "investment_cny_wan": (10, _ratio(20_000)),
            "jobs": (10, _piecewise((0, 0), (100, 100))),
            "industry_fit": (10, _FIT),
            "investor_strength": (10, _STRENGTH),
        }),
        # 研发 (R&D): the R&D share and the jobs (researchers) weigh most; little land.
        "rnd": _standard({
            "rnd_share_pct": (25, _piecewise((0, 0), (3, 60), (10, 100))),
            "jobs": (15, _piecewise((0, 0), (100, 100))),
            "tax_per_mu_wan": (15, _piecewise((0, 0), (10, 100))),
            "investment_cny_wan": (10, _ratio(5_000)),
            "industry_fit": (20, _FIT),
            "investor_strength": (15, _STRENGTH),
        }),
        "other": _standard({
            "investment_cny_wan": (20, _ratio(10_000)),
            "tax_per_mu_wan": (30, _piecewise((0, 0), (10, 100))),
            "jobs": (15, _piecewise((0, 0), (100, 100))),
            "industry_fit": (20, _FIT),
            "investor_strength": (15, _STRENGTH),
        }),
    },
    # Names of the categories an administrator adds: {"key": ["中文", "English"]} (built-in ones: the catalog).
    "labels": {},
}


# --- checking a standard ------------------------------------------------------------------------------------


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _exact(value: Any) -> Fraction:
    """A number as the decimal it is written as (0.1 is 1/10): the same every time it is read."""
    return Fraction(value) if isinstance(value, int) else Fraction(repr(float(value)))


def validate_standard(standard: Any, key: str) -> list[Reason]:
    """What is wrong with one category's standard (empty: it may be saved), each reason located by its params:
    `standard` (the category), `indicator` (and `row`, from 1) where it is about one indicator."""
    at = {"standard": key}
    if not isinstance(standard, Mapping) or not {"indicators", "vetoes", "documents", "cutoffs"} <= set(standard):
        return [Reason("grading.rules.standard_shape", at)]
    problems: list[Reason] = []
    indicators = standard["indicators"]
    if not isinstance(indicators, list) or not indicators:
        return [Reason("grading.rules.no_indicators", at)]
    seen: set[str] = set()
    total = Fraction(0)
    for row, item in enumerate(indicators, start=1):
        where = {**at, "row": row, "indicator": item.get("indicator") if isinstance(item, Mapping) else None}
        if not isinstance(item, Mapping) or item.get("indicator") not in INDICATORS:
            problems.append(Reason("grading.rules.indicator_unknown", where))
            continue
        name = item["indicator"]
        if name in seen:
            problems.append(Reason("grading.rules.indicator_twice", where))
        seen.add(name)
        weight = item.get("weight")
        if not _number(weight) or weight <= 0:
            problems.append(Reason("grading.rules.weight_positive", {**where, "value": weight}))
        else:
            total += _exact(weight)
        problems += _scoring_problems(item, where)
    if total != 100 and not any(p.key == "grading.rules.weight_positive" for p in problems):
        problems.append(Reason("grading.rules.weights_sum", {**at, "total": float(total)}))
    vetoes, documents = standard["vetoes"], standard["documents"]
    if not isinstance(vetoes, list) or not set(vetoes) <= set(VETOES) or len(set(vetoes)) != len(vetoes):
        problems.append(Reason("grading.rules.vetoes", at))
    if not isinstance(documents, list) or not set(documents) <= set(DOCUMENTS) or len(set(documents)) != len(documents):
        problems.append(Reason("grading.rules.documents", at))
    problems += _cutoff_problems(standard["cutoffs"], at)
    return problems


def _scoring_problems(item: Mapping[str, Any], where: Mapping[str, Any]) -> list[Reason]:
    name, scoring = item["indicator"], item.get("scoring")
    if scoring not in SCORINGS or (scoring == "choice") != (name in CHOICE_INDICATORS):
        return [Reason("grading.rules.scoring_unfit", {**where, "scoring": scoring})]
    if scoring == "ratio":
        benchmark = item.get("benchmark")
        return [] if _number(benchmark) and benchmark > 0 else [Reason("grading.rules.benchmark_positive", {**where, "value": benchmark})]
    if scoring == "choice":
        options = item.get("options")
        if (not isinstance(options, Mapping) or set(options) != set(CHOICE_INDICATORS[name])
                or not all(_number(v) and 0 <= v <= 100 for v in options.values())):
            return [Reason("grading.rules.options", where)]
        return [] if max(options.values()) == 100 else [Reason("grading.rules.no_full_marks", where)]
    points = item.get("points")
    if (not isinstance(points, list) or len(points) < 2
            or not all(isinstance(p, (list, tuple)) and len(p) == 2 and all(_number(v) for v in p) for p in points)):
        return [Reason("grading.rules.points_shape", where)]
    xs, pcts = [p[0] for p in points], [p[1] for p in points]
    if any(b <= a for a, b in zip(xs, xs[1:])):
        return [Reason("grading.rules.points_rising", where)]
    if not all(0 <= p <= 100 for p in pcts) or any(b < a for a, b in zip(pcts, pcts[1:])):
        return [Reason("grading.rules.points_share", where)]
    return [] if pcts[-1] == 100 else [Reason("grading.rules.no_full_marks", where)]


def _cutoff_problems(cutoffs: Any, at: Mapping[str, Any]) -> list[Reason]:
    if not isinstance(cutoffs, Mapping) or set(cutoffs) != set(GRADED_CUTOFFS):
        return [Reason("grading.rules.cutoffs_shape", at)]
    problems = [Reason("grading.rules.cutoff_range", {**at, "grade": g, "value": cutoffs[g]})
                for g in GRADED_CUTOFFS if not _number(cutoffs[g]) or not 0 <= cutoffs[g] <= 100]
    if problems:
        return problems
    return [Reason("grading.rules.cutoffs_falling", {**at, "grade": lower, "above": upper})
            for upper, lower in zip(GRADED_CUTOFFS, GRADED_CUTOFFS[1:]) if cutoffs[lower] >= cutoffs[upper]]


def validate_rules(rules: Mapping[str, Any]) -> list[Reason]:
    """What is wrong with the grading document: every built-in category needs a standard, an added one a name
    in both languages, and each standard must pass `validate_standard`."""
    standards, labels = rules.get("standards"), rules.get("labels", {})
    if not isinstance(standards, Mapping) or not isinstance(labels, Mapping):
        return [Reason("grading.rules.document_shape", {})]
    problems = [Reason("grading.rules.category_missing", {"standard": c}) for c in BUILT_IN if c not in standards]
    for key in standards:
        if key in BUILT_IN:
            continue
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            problems.append(Reason("grading.rules.category_key", {"standard": key}))
        names = labels.get(key)
        if not (isinstance(names, (list, tuple)) and len(names) == 2 and all(isinstance(n, str) and n.strip() for n in names)):
            problems.append(Reason("grading.rules.category_unnamed", {"standard": key}))
    for key, standard in standards.items():
        problems += validate_standard(standard, key)
    return problems


# --- grading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One indicator of a grade: its value (None: missing), the points it earned out of its weight, and the
    share of the weight (0–1) its scoring gave."""

    indicator: str
    value: Any
    weight: Fraction
    share: Fraction | None
    scoring: Mapping[str, Any]

    @property
    def points(self) -> Fraction | None:
        return None if self.share is None else self.weight * self.share


@dataclass(frozen=True)
class Grade:
    """A grade with its explanation. `grade` None: not rated yet (`missing`, `missing_documents` say why)."""

    grade: str | None
    score: Fraction | None  # the sum of the points (None while any value is missing, unless vetoed)
    lines: tuple[Line, ...]
    vetoes: tuple[str, ...]  # veto items that applied
    missing: tuple[str, ...]  # indicators without a value
    missing_documents: tuple[str, ...]
    standard: str = ""  # the category whose standard was used
    version: int | None = None  # that standard's version (None: the defaults, never saved)

    @property
    def rated(self) -> bool:
        return self.grade is not None

    def reasons(self) -> list[Reason]:
        """Why this grade, as sentences: the veto, the missing values and documents, or the score and cut-off."""
        if self.vetoes:
            return [Reason("grading.why.veto", {"vetoes": list(self.vetoes)})]
        out = []
        if self.missing:
            out.append(Reason("grading.why.missing", {"indicators": list(self.missing)}))
        if self.missing_documents:
            out.append(Reason("grading.why.missing_documents", {"documents": list(self.missing_documents)}))
        if not out:
            out.append(Reason("grading.why.score", {"score": score_text(self.score), "grade": self.grade}))
        return out


def share(value: Any, scoring: Mapping[str, Any]) -> Fraction:
    """The share (0–1) of its weight a value earns under an indicator's scoring."""
    if scoring["scoring"] == "choice":
        return _exact(scoring["options"][value]) / 100
    v = _exact(value)
    if scoring["scoring"] == "ratio":
        return min(v / _exact(scoring["benchmark"]), Fraction(1))
    points = [(_exact(x), _exact(p)) for x, p in scoring["points"]]
    if v <= points[0][0]:
        return points[0][1] / 100
    for (x0, p0), (x1, p1) in zip(points, points[1:]):
        if v <= x1:
            return (p0 + (p1 - p0) * (v - x0) / (x1 - x0)) / 100
    return points[-1][1] / 100


def _given(value: Any, indicator: str) -> bool:
    if indicator in CHOICE_INDICATORS:
        return value in CHOICE_INDICATORS[indicator]
    return _number(value) and not is_missing(value) and value >= 0


def grade(inputs: Mapping[str, Any], standard: Mapping[str, Any], *, category: str = "",
          version: int | None = None) -> Grade:
    """The grade the standard gives these indicator values, with its explanation (see the module's doc)."""
    values = inputs.get("values") or {}
    lines, missing = [], []
    for item in standard["indicators"]:
        name, value = item["indicator"], values.get(item["indicator"])
        given = _given(value, name)
        if not given:
            missing.append(name)
        lines.append(Line(name, value if given else None, _exact(item["weight"]), share(value, item) if given else None,
                          {k: v for k, v in item.items() if k not in ("indicator", "weight")}))
    vetoes = tuple(v for v in standard["vetoes"] if v in set(inputs.get("vetoes") or ()))
    provided = set(inputs.get("documents") or ())
    missing_documents = tuple(d for d in standard["documents"] if d not in provided)
    score = None if missing else sum((line.points for line in lines), Fraction(0))
    if vetoes:
        letter = "F"
    elif missing or missing_documents:
        letter = None
    else:
        letter = next((g for g in GRADED_CUTOFFS if score >= _exact(standard["cutoffs"][g])), "F")
    return Grade(letter, score, tuple(lines), vetoes, tuple(missing), missing_documents, category, version)


def standard_of(rules: Mapping[str, Any], category: str | None) -> str:
    """The standard a project of this category is graded by: its own, else "other"."""
    return category if category in rules["standards"] else "other"


def grade_with(inputs: Mapping[str, Any], rules: Mapping[str, Any], standard: str, version: int | None) -> Grade:
    return grade(inputs, rules["standards"][standard], category=standard, version=version)


def at_least(letter: str | None, floor: str) -> bool:
    """Is this grade `floor` or better (A+ best)? Not rated is not."""
    return letter in GRADES and GRADES.index(letter) <= GRADES.index(floor)


def normalized_inputs(values: Mapping[str, Any], vetoes: Sequence[str], documents: Sequence[str]) -> dict[str, Any]:
    """Inputs as stored: only known indicators with a value (numbers as float), vetoes and documents sorted."""
    kept = {}
    for name in INDICATORS:
        value = values.get(name)
        if _given(value, name):
            kept[name] = value if name in CHOICE_INDICATORS else float(value)
    return {"values": kept, "vetoes": sorted(set(vetoes) & set(VETOES)), "documents": sorted(set(documents) & set(DOCUMENTS))}


# --- explanation, in a language -----------------------------------------------------------------------------


def score_text(score: Fraction | None) -> str:
    return "–" if score is None else f"{float(score):.2f}".rstrip("0").rstrip(".")


def category_label(key: str, lang: str, rules: Mapping[str, Any] | None = None) -> str:
    if key in BUILT_IN:
        return i18n.label("category", key, lang)
    names = (rules or {}).get("labels", {}).get(key)
    return i18n.pick(names, lang) if names else key


def indicator_label(name: str, lang: str) -> str:
    return i18n.t(f"grading.indicator.{name}", lang)


def option_label(indicator: str, option: str, lang: str) -> str:
    return i18n.t(f"grading.option.{indicator}.{option}", lang)


def value_text(indicator: str, value: Any, lang: str) -> str:
    if value is None:
        return i18n.t("grading.not_given", lang)
    if indicator in CHOICE_INDICATORS:
        return option_label(indicator, value, lang)
    return i18n.t(f"grading.unit.{indicator}", lang, value=f"{value:,g}")


def scoring_text(indicator: str, scoring: Mapping[str, Any], lang: str) -> str:
    """How the indicator scores, in a few words: "≥ 10 万元/亩 full marks (0 → 0 %, 10 → 100 %)"."""
    sep = "；" if i18n.normalize_language(lang) == "zh" else "; "
    if scoring["scoring"] == "choice":
        return sep.join(f"{option_label(indicator, o, lang)} {p:g}%" for o, p in scoring["options"].items())
    if scoring["scoring"] == "ratio":
        return i18n.t("grading.scoring.ratio_text", lang, benchmark=value_text(indicator, scoring["benchmark"], lang))
    full = next(x for x, p in scoring["points"] if p == 100)
    steps = ", ".join(f"{x:g} → {p:g}%" for x, p in scoring["points"])
    return i18n.t("grading.scoring.piecewise_text", lang, full=value_text(indicator, full, lang), steps=steps)


EXPLANATION_COLUMNS = ("indicator", "value", "scoring", "points", "weight")


def explanation(result: Grade, lang: str) -> list[dict[str, str]]:
    """The grade's explanation as rows (named columns `EXPLANATION_COLUMNS`, every cell text in `lang`): one
    per indicator, then one per veto that applied and the total."""
    rows = [{"indicator": indicator_label(line.indicator, lang), "value": value_text(line.indicator, line.value, lang),
             "scoring": scoring_text(line.indicator, line.scoring, lang), "points": score_text(line.points),
             "weight": score_text(line.weight)} for line in result.lines]
    for veto in result.vetoes:
        rows.append({"indicator": i18n.t("grading.veto_row", lang), "value": i18n.t(f"grading.veto.{veto}", lang),
                     "scoring": i18n.t("grading.veto_forces_f", lang), "points": "–", "weight": "–"})
    rows.append({"indicator": i18n.t("grading.total_row", lang), "value": result.grade or i18n.t("grading.not_rated", lang),
                 "scoring": verdict_text(result, lang), "points": score_text(result.score), "weight": "100"})
    return rows


def verdict_text(result: Grade, lang: str) -> str:
    """Why, in one or two sentences (indicators, vetoes and documents named in the language)."""
    out = []
    for reason in result.reasons():
        params = dict(reason.params)
        sep = "、" if i18n.normalize_language(lang) == "zh" else ", "
        if "vetoes" in params:
            params["vetoes"] = sep.join(i18n.t(f"grading.veto.{v}", lang) for v in params["vetoes"])
        if "indicators" in params:
            params["indicators"] = sep.join(indicator_label(v, lang) for v in params["indicators"])
        if "documents" in params:
            params["documents"] = sep.join(i18n.t(f"grading.document.{d}", lang) for d in params["documents"])
        out.append(i18n.t(reason.key, lang, **params))
    return ("" if i18n.normalize_language(lang) == "zh" else " ").join(out)


def grade_text(result: Grade, lang: str) -> str:
    return result.grade or i18n.t("grading.not_rated", lang)


def problem_text(reason: Reason, lang: str, rules: Mapping[str, Any] | None = None) -> str:
    """A refusal of an edited standard as a sentence naming where: "制造业 · 第 2 行（亩均税收）：…"."""
    params = dict(reason.params)
    where = []
    if params.get("standard") is not None:
        where.append(category_label(str(params["standard"]), lang, rules))
    if params.get("row") is not None:
        name = params.get("indicator")
        row = i18n.t("grading.rules.row", lang, row=params["row"])
        where.append(f"{row}（{indicator_label(name, lang)}）" if name in INDICATORS and i18n.normalize_language(lang) == "zh"
                     else f"{row} ({indicator_label(name, lang)})" if name in INDICATORS else row)
    for key in ("value", "total"):
        if key in params:
            params[key] = "–" if params[key] is None else params[key]
    if "scoring" in params:
        params["scoring"] = i18n.t(f"grading.scoring.{params['scoring']}", lang) if params["scoring"] in SCORINGS else "–"
    message = i18n.t(reason.key, lang, **params)
    place = " · ".join(where)
    if not place:
        return message
    return f"{place}：{message}" if i18n.normalize_language(lang) == "zh" else f"{place}: {message}"


def copy_standard(rules: Mapping[str, Any], key: str) -> dict[str, Any]:
    return copy.deepcopy(dict(rules["standards"][key]))
