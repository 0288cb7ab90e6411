"""One project, counted once (seed 二(二): 同一个项目推荐给多个区镇, coordinated by the investment office).

Every project a district creates, edits or uploads is matched against all districts' projects:

- exactly on the investor's unified social credit code (统一社会信用代码, GB 32100-2015) where both records
  carry a valid one: equal codes are a match whatever the names say; two different valid codes are two
  different investors, never raised, however alike the names;
- fuzzily (rapidfuzz, on names normalised the way Chinese districts write them) on the investor's name and
  the project's name, supported by "same sector and an amount within x %".

A district is told only that a likely match exists elsewhere (a count: `visible_to_district`); the office
sees both records (`office_pair`) and decides, as data (`Decision`): the same project (one hosting district;
the other keeps its first-contact credit through `origin_district`) or different ones. A decided pair is
never raised again. `apply_decision` says what a decision changes; the caller stores it.

Name normalisation (`normalise_name`), in this order: NFKC (full-width letters, digits and brackets become
half-width), traditional to simplified Chinese (OpenCC's t2s), case folding, German umlauts (ä→ae …) and
other accents, every kind of bracket; then legal forms (有限公司, 股份有限公司, Co., Ltd., GmbH, AG …) and the
country (中国, China) are taken off the ends and out of brackets; then place names (太仓, 苏州, 江苏, 上海 …)
are taken off the front, the end and out of brackets and kept aside: "太仓市华能新材料科技有限公司" and
"华能新材料科技（太仓）有限公司" are the same name with the place written in its two legal positions (企业名称
登记管理规定: 行政区划 + 字号 + 行业 + 组织形式, or 字号 + 行业 + (行政区划) + 组织形式). A name without a place
matches one with a place; two names naming different places (苏州华能 vs 上海华能) lose points, as they are
usually different legal entities. Finally the generic business words (科技, 新材料, Technology …) are taken
out to get the trade name (字号), which weighs most: "华能新材料" and "中能新材料" share most characters but
not their trade name. Chinese and Latin-script names are never compared with each other (舍弗勒 and
Schaeffler share no character; only a credit code or the project's name can join them).

Scores: where both investors are named in one script, their names decide (the trade name weighing most),
a similar project name and "same sector, amount within x %" add a few points; where they cannot be
compared (Chinese against Latin script, or one unknown), the project's name decides. An equal valid credit
code scores 100.

Speed: `MatchIndex.build(stored)` normalises the stored side once; a query is three rapidfuzz `cdist` rows
over the prepared strings and a few numpy operations (see benchmarks/README.md). `find_all_pairs` blocks:
two records are compared when they share a valid credit code, or a key of their investors' trade names
(Chinese: each pair of neighbouring characters; Latin script: each word's and each two neighbouring words'
first and last four letters) that at most `block_max_size` records share; and every pair whose investors
cannot be compared by name is compared on project names by a full rapidfuzz `cdist` between the groups.
A pair whose every shared key is too common is not in the queue (find_matches, which compares against every
record, raised it when the later of the two was entered; the benchmark counts such pairs).
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import opencc
import pandas as pd
from rapidfuzz import fuzz, process

from heatmap import i18n
from heatmap.model import investment_cny_wan, is_missing

# The field of a project record holding the investor's unified social credit code. The model does not have
# it yet: the store adds it with its migration; records without it are matched on names only.
CREDIT_CODE_FIELD = "credit_code"  # model.PROJECT_FIELDS: the investor's 统一社会信用代码

OUTCOMES = ("same", "different")

# Defaults. No published city rule gives matching thresholds: the pattern (exact on the credit code, fuzzy
# on investor and project names, the district told only that a match exists, the office deciding who
# hosts) is the CRM duplicate-management practice in ../shared/docs/pipeline-rules.md ("Counting a project
# once"); the numbers are calibrated on the company-name variants in tests/test_pipeline_duplicates.py.
DEFAULT_RULES: dict[str, Any] = {
    # A pair is raised as a likely match from this score (0-100) up.
    "threshold": 85,
    # Share of the trade name (字号) in the investor score; the rest is the whole normalised name.
    "trade_name_weight": 0.6,
    # Latin-script trade names are compared word by word: every word must find a close word in the other name,
    # and the worst word's difference counts this many times (Weber is not Weser; Schaefler is a typo of
    # Schaeffler: 80 and 95 % alike become 60 and 89).
    "word_difference_weight": 2,
    # Points off the investor score when both names carry places and they share none (苏州X vs 上海X).
    "place_conflict_penalty": 25,
    # Where both investors are named in one script, their names decide and a project name at least this
    # similar adds `project_bonus` points; a similar project name alone never joins two clearly named
    # investors ("精密传动部件项目" is reported for many). Where the investors cannot be compared by name
    # (Chinese against Latin script, or one unknown), the project name decides.
    "project_support_min": 80,
    "project_bonus": 5,
    # Project names shorter than this (characters, after normalisation) are too generic to compare ("数控机床").
    "project_min_length": 6,
    # A name similarity from this score up is listed among a match's reasons.
    "reason_floor": 60,
    # Same sector and amounts (in CNY at the reference rates) within this share of the larger one …
    "amount_tolerance": 0.2,
    # … add these points: supporting evidence, never enough alone.
    "sector_amount_bonus": 5,
    # Pairs inside one district are not raised: an investor's second project (phase II, a second plant) is
    # common and the district sees both; the seed's rule concerns a project recommended to several districts.
    "within_district": False,
    # At most this many matches are returned for one project, best first.
    "max_matches": 20,
    # find_all_pairs: a blocking key (see MatchIndex.blocking_keys) shared by more records than this is too
    # common to block on.
    "block_max_size": 300,
    # Take place names out of investor names (see the module's docstring); False keeps them in the name.
    "strip_places": True,
    # Place names: the Chinese name, then its Latin spellings. A trailing 市/省/区/县/镇 is part of the place.
    "places": {
        "太仓": ["Taicang"], "苏州": ["Suzhou"], "江苏": ["Jiangsu"], "上海": ["Shanghai"], "昆山": ["Kunshan"],
        "常熟": ["Changshu"], "张家港": ["Zhangjiagang"], "无锡": ["Wuxi"], "南京": ["Nanjing"], "常州": ["Changzhou"],
        "南通": ["Nantong"], "嘉定": ["Jiading"], "浙江": ["Zhejiang"], "杭州": ["Hangzhou"], "宁波": ["Ningbo"],
        "北京": ["Beijing"], "天津": ["Tianjin"], "广州": ["Guangzhou"], "深圳": ["Shenzhen"], "青岛": ["Qingdao"],
        "香港": ["Hong Kong", "Hongkong"], "亚太": ["Asia Pacific", "APAC"],
    },
    # The country: taken off the ends and out of brackets, never a conflict ("(中国)", "China").
    "countries": ["中国", "China", "PRC"],
    # Legal forms, taken off the end of investor names (repeatedly) and out of brackets, and out of project names.
    "legal_forms": [
        "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "分公司", "集团", "公司", "有限合伙", "合伙企业",
        "Co., Ltd.", "Co. Ltd", "Company Limited", "Ltd.", "Limited", "Inc.", "Incorporated", "Corp.", "Corporation",
        "Company", "Co.", "LLC", "Group", "Holding", "Holdings", "GmbH & Co. KG", "GmbH", "AG", "KG", "KGaA", "SE",
        "S.A.", "SA", "SAS", "S.p.A.", "B.V.", "N.V.", "K.K.", "PLC", "Pte. Ltd.",
    ],
    # Business words that are not the trade name (字号), taken out of the investor name for the trade-name score.
    "generic_words": [
        "科技", "技术", "新材料", "材料", "精密", "机械", "汽车", "零部件", "部件", "电子", "实业", "贸易", "物流",
        "医药", "生物", "智能", "装备", "制造", "工业", "发展", "投资", "控股", "国际", "环保", "能源", "新能源",
        "信息", "软件", "数据", "医疗", "器械", "化工", "供应链", "管理", "咨询", "服务",
        "Technology", "Technologies", "Tech", "New", "Materials", "Material", "Precision", "Automotive", "Auto",
        "Logistics", "Logistik", "Industries", "Industrial", "International", "Engineering", "Systems", "Electronics",
        "Trading", "Manufacturing", "Medical", "Solutions", "Components", "Parts", "Technik", "Maschinenbau",
    ],
    # Words taken off the end of project names ("…项目").
    "project_words": ["项目", "工程", "Project", "Projekt"],
}

_NUMBER_RULES = {  # name -> (minimum, maximum)
    "threshold": (1, 100), "trade_name_weight": (0, 1), "word_difference_weight": (1, 10), "place_conflict_penalty": (0, 100),
    "project_support_min": (0, 100), "project_bonus": (0, 50), "project_min_length": (1, 50), "reason_floor": (0, 100),
    "amount_tolerance": (0, 10), "sector_amount_bonus": (0, 50), "max_matches": (1, 1000), "block_max_size": (2, 1_000_000),
}
_BOOL_RULES = ("within_district", "strip_places")
_LIST_RULES = ("countries", "legal_forms", "generic_words", "project_words")


@dataclass(frozen=True)
class Reason:
    """Why: an i18n key (catalog heatmap.i18n.pipeline_duplicates) and its params."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def validate_rules(rules: Mapping[str, Any], lang: str = "zh") -> list[str]:
    """Everything wrong with an administrator's edited rules, as sentences in `lang` (empty: they can be stored)."""
    return [i18n.t(p.key, lang, **dict(p.params)) for p in rule_problems(rules)]


def rule_problems(rules: Mapping[str, Any]) -> list[Reason]:
    """Everything wrong with an administrator's edited rules, as reasons (empty when they can be stored)."""
    problems: list[Reason] = []
    if not isinstance(rules, Mapping):
        return [Reason("duplicates.rules.not_a_mapping", {})]
    for name in sorted(set(rules) - set(DEFAULT_RULES)):
        problems.append(Reason("duplicates.rules.unknown", {"name": name}))
    for name in DEFAULT_RULES:
        if name not in rules:
            problems.append(Reason("duplicates.rules.missing", {"name": name}))
            continue
        value = rules[name]
        if name in _NUMBER_RULES:
            low, high = _NUMBER_RULES[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                problems.append(Reason("duplicates.rules.not_a_number", {"name": name, "value": str(value)}))
            elif not low <= value <= high:
                problems.append(Reason("duplicates.rules.out_of_range", {"name": name, "value": value, "minimum": low, "maximum": high}))
        elif name in _BOOL_RULES and not isinstance(value, bool):
            problems.append(Reason("duplicates.rules.not_a_bool", {"name": name, "value": str(value)}))
        elif name in _LIST_RULES and not (isinstance(value, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in value)):
            problems.append(Reason("duplicates.rules.not_a_list", {"name": name}))
        elif name == "places":
            if not isinstance(value, Mapping) or not all(
                isinstance(k, str) and k.strip() and isinstance(v, (list, tuple)) and all(isinstance(s, str) and s.strip() for s in v)
                for k, v in value.items()
            ):
                problems.append(Reason("duplicates.rules.not_places", {"name": name}))
    if not problems and rules["reason_floor"] > rules["threshold"]:
        problems.append(Reason("duplicates.rules.floor_above_threshold", {"rule": "reason_floor", "floor": rules["reason_floor"], "threshold": rules["threshold"]}))
    return problems


# --- the unified social credit code (统一社会信用代码, GB 32100-2015) ------------------------------------

_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_CODE_VALUE = {c: i for i, c in enumerate(_CODE_CHARS)}
_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # weight of position i is 3^i mod 31
_CODE_SEPARATORS = re.compile(r"[\s\-–—_./·]")


@dataclass(frozen=True)
class CreditCode:
    """A credit code as written, normalised (half-width, upper case, no spaces) and checked."""

    value: str  # normalised; "" when none was given
    valid: bool
    reason: Reason


def check_credit_code(value: Any) -> CreditCode:
    """Normalise and validate a unified social credit code: 18 characters of the code's alphabet, the last
    being the check character over the first 17 (GB 32100-2015: 31 − Σ value·3^i mod 31, mod 31).

    The inner organisation code's own check digit (GB 11714) is not tested: codes of some registration
    authorities do not follow it. A code is never corrected (no O→0): a typed code that fails is reported.
    """
    if is_missing(value):
        return CreditCode("", False, Reason("duplicates.credit_code.missing"))
    text = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    if len(text) != 18:
        return CreditCode(text, False, Reason("duplicates.credit_code.length", {"value": text, "length": len(text)}))
    for position, char in enumerate(text, start=1):
        if char not in _CODE_VALUE:
            return CreditCode(text, False, Reason("duplicates.credit_code.bad_char", {"value": text, "char": char, "position": position}))
    total = sum(_CODE_VALUE[c] * w for c, w in zip(text, _CODE_WEIGHTS))
    expected = _CODE_CHARS[(31 - total % 31) % 31]
    if text[17] != expected:
        return CreditCode(text, False, Reason("duplicates.credit_code.check_char", {"value": text, "expected": expected, "found": text[17]}))
    return CreditCode(text, True, Reason("duplicates.credit_code.valid", {"value": text}))


def credit_code_check_char(first17: str) -> str:
    """The check character that completes the first 17 characters of a credit code."""
    total = sum(_CODE_VALUE[c] * w for c, w in zip(first17.upper(), _CODE_WEIGHTS))
    return _CODE_CHARS[(31 - total % 31) % 31]


# --- name normalisation ---------------------------------------------------------------------------------

_T2S = opencc.OpenCC("t2s.json")
_BRACKETS = str.maketrans({c: "(" for c in "[{【〔《「『〖〈〘"} | {c: ")" for c in "]}】〕》」』〗〉〙"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_TOKEN = re.compile(r"[a-z0-9]+|[^\W_a-z0-9]+")  # runs of Latin letters and digits, or of other letters (汉字 …)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_PLACE_SUFFIXES = ("市", "省", "区", "县", "镇")
NONE, CJK, LATIN = 0, 1, 2  # the script of a name


def _base(text: str) -> str:
    text = _T2S.convert(unicodedata.normalize("NFKC", text)).casefold().translate(_UMLAUTS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).translate(_BRACKETS)


def _alternatives(words: Sequence[str], before: str, after: str) -> re.Pattern:
    """A pattern matching any of the words (never anything when there are none)."""
    return re.compile(before + "|".join(map(re.escape, words)) + after) if words else re.compile(r"(?!x)x")


def _is_cjk(token: str) -> bool:
    return bool(_CJK.match(token))


def _join(tokens: Sequence[str]) -> str:
    """Tokens back into one string: a space only between two Latin tokens (spaces never matter in Chinese)."""
    out = ""
    for token in tokens:
        if out and token[0].isascii() and out[-1].isascii():
            out += " "
        out += token
    return out


@dataclass(frozen=True)
class _Vocabulary:
    """The word lists of the rules, normalised like the names they are looked for in."""

    cjk_forms: tuple[str, ...]  # legal forms and countries in Chinese, longest first
    latin_forms: tuple[tuple[str, ...], ...]  # as token sequences, longest first
    countries: frozenset[str]
    place_of: Mapping[str, str]  # every spelling (normalised) -> the place's Chinese name
    cjk_places: tuple[str, ...]  # longest first
    latin_places: tuple[tuple[str, ...], ...]
    cjk_generic: tuple[str, ...]
    latin_generic: frozenset[str]
    project_words: tuple[tuple[str, ...], ...]
    strip_places: bool
    cjk_form_end: re.Pattern  # a Chinese legal form or country at the end of a token
    cjk_place_end: re.Pattern  # a Chinese place (with 市, 省 …) at the end of a token
    latin_forms_by_last: Mapping[str, tuple[tuple[str, ...], ...]]  # Latin forms by their last word

    @classmethod
    def of(cls, rules: Mapping[str, Any]) -> _Vocabulary:
        def tokens(text: str) -> tuple[str, ...]:
            return tuple(_TOKEN.findall(_base(text)))

        forms = [tokens(f) for f in [*rules["legal_forms"], *rules["countries"]]]
        places: dict[str, str] = {}
        for name, spellings in rules["places"].items():
            canonical = "".join(tokens(name))
            for spelling in (name, *spellings):
                places[" ".join(tokens(spelling))] = canonical
        generic = [tokens(w) for w in rules["generic_words"]]
        def by_length(seq):
            return sorted({s for s in seq if s}, key=lambda s: (-len(s), s))

        return cls(
            cjk_forms=tuple(by_length("".join(f) for f in forms if f and _is_cjk(f[0]))),
            latin_forms=tuple(by_length(f for f in forms if f and not _is_cjk(f[0]))),
            countries=frozenset(" ".join(tokens(c)) for c in rules["countries"]),
            place_of=places,
            cjk_places=tuple(by_length(p for p in places if _is_cjk(p))),
            latin_places=tuple(by_length(tuple(p.split()) for p in places if not _is_cjk(p))),
            cjk_generic=tuple(by_length("".join(g) for g in generic if g and _is_cjk(g[0]))),
            latin_generic=frozenset(t for g in generic if g and not _is_cjk(g[0]) for t in g),
            project_words=tuple(by_length(tokens(w) for w in rules["project_words"])),
            strip_places=bool(rules["strip_places"]),
            cjk_form_end=_alternatives(by_length("".join(f) for f in forms if f and _is_cjk(f[0])), "(?:", ")$"),
            cjk_place_end=_alternatives(by_length(p for p in places if _is_cjk(p)), "(?P<place>", f")(?:{'|'.join(_PLACE_SUFFIXES)})?$"),
            latin_forms_by_last={last: tuple(f for f in by_length(f for f in forms if f and not _is_cjk(f[0])) if f[-1] == last)
                                 for last in {f[-1] for f in forms if f and not _is_cjk(f[0])}},
        )

    def place(self, text: str) -> str | None:
        """The place a whole text names ("太仓市", "taicang"), else None."""
        key = text.strip()
        for suffix in ("", *_PLACE_SUFFIXES):
            if suffix and not key.endswith(suffix):
                continue
            found = self.place_of.get(key[: len(key) - len(suffix)] if suffix else key)
            if found:
                return found
        return None

    def is_form(self, text: str) -> bool:
        squashed = text.replace(" ", "")
        return squashed in self.cjk_forms or tuple(text.split()) in self.latin_forms or text in self.countries


@dataclass(frozen=True)
class NameKey:
    """An investor's name, normalised: the whole name, its trade name (字号), its places and its script."""

    core: str
    trade: str
    places: frozenset[str]
    script: int  # NONE, CJK or LATIN


_EMPTY = NameKey("", "", frozenset(), NONE)


def normalise_name(text: Any, rules: Mapping[str, Any] = DEFAULT_RULES, *, _vocabulary: _Vocabulary | None = None) -> NameKey:
    """An investor's name as the matcher compares it (see the module's docstring for the steps)."""
    if is_missing(text):
        return _EMPTY
    vocabulary = _vocabulary or _Vocabulary.of(rules)
    places: set[str] = set()

    def bracket(match: re.Match) -> str:
        inner = " ".join(_TOKEN.findall(match.group(1)))
        if not inner or vocabulary.is_form(inner):
            return " "
        place = vocabulary.place(inner.replace(" ", "") if _is_cjk(inner) else inner)
        if place and vocabulary.strip_places:
            places.add(place)
            return " "
        return f" {match.group(1)} "

    text = _BRACKETED.sub(bracket, _base(str(text)))
    tokens = _TOKEN.findall(text)
    whole = list(tokens)
    while tokens and (_strip_end(tokens, vocabulary, places) or _strip_start(tokens, vocabulary, places)):
        pass
    if not tokens:  # a name that is nothing but a place and a legal form: keep what was written
        tokens, places = whole, set()
    core = _join(tokens)
    trade = _trade_name(tokens, vocabulary) or core
    script = CJK if _CJK.search(core) else LATIN if core else NONE
    return NameKey(core, trade, frozenset(places), script)


def _strip_end(tokens: list[str], vocabulary: _Vocabulary, places: set[str]) -> bool:
    """Take one legal form, country or place off the end of the name; True if something was taken."""
    last = tokens[-1]
    if _is_cjk(last):
        found = vocabulary.cjk_form_end.search(last)
        if found:
            _replace_last(tokens, last[: found.start()])
            return True
        if vocabulary.strip_places:
            found = vocabulary.cjk_place_end.search(last)
            if found and found.start() >= 2:
                places.add(vocabulary.place_of[found.group("place")])
                _replace_last(tokens, last[: found.start()])
                return True
        return False
    for form in vocabulary.latin_forms_by_last.get(last, ()):
        if len(tokens) > len(form) and tuple(tokens[-len(form):]) == form:
            del tokens[-len(form):]
            return True
    if vocabulary.strip_places:
        for place in vocabulary.latin_places:
            if len(tokens) > len(place) and tuple(tokens[-len(place):]) == place:
                places.add(vocabulary.place_of[" ".join(place)])
                del tokens[-len(place):]
                return True
    return False


def _strip_start(tokens: list[str], vocabulary: _Vocabulary, places: set[str]) -> bool:
    """Take one country or place off the front of the name; True if something was taken."""
    first = tokens[0]
    if _is_cjk(first):
        for country in vocabulary.countries:
            if _is_cjk(country) and first.startswith(country) and len(first) - len(country) >= 2:
                tokens[0] = first[len(country):]
                return True
        if vocabulary.strip_places:
            for place in vocabulary.cjk_places:
                if not first.startswith(place):
                    continue
                rest = first[len(place):]
                if rest[:1] in _PLACE_SUFFIXES and len(rest) - 1 >= 2:
                    rest = rest[1:]
                if len(rest) >= 2 or (not rest and len(tokens) > 1):
                    places.add(vocabulary.place_of[place])
                    if rest:
                        tokens[0] = rest
                    else:
                        del tokens[0]
                    return True
        return False
    if len(tokens) > 1 and first in vocabulary.countries:
        del tokens[0]
        return True
    if vocabulary.strip_places:
        for place in vocabulary.latin_places:
            if len(tokens) > len(place) and tuple(tokens[: len(place)]) == place:
                places.add(vocabulary.place_of[" ".join(place)])
                del tokens[: len(place)]
                return True
    return False


def _replace_last(tokens: list[str], rest: str) -> None:
    if rest:
        tokens[-1] = rest
    else:
        tokens.pop()


def _trade_name(tokens: Sequence[str], vocabulary: _Vocabulary) -> str:
    """The name without its generic business words; "" when nothing distinctive is left."""
    kept = []
    for token in tokens:
        if _is_cjk(token):
            for word in vocabulary.cjk_generic:
                token = token.replace(word, "")
            if token:
                kept.append(token)
        elif token not in vocabulary.latin_generic:
            kept.append(token)
    trade = _join(kept)
    return trade if len(trade.replace(" ", "")) >= 2 else ""


def normalise_project_name(text: Any, rules: Mapping[str, Any] = DEFAULT_RULES, *, _vocabulary: _Vocabulary | None = None) -> str:
    """A project's name as the matcher compares it: normalised like investor names, legal forms taken out
    wherever they stand (project names often start with the investor's full name), "项目" off the end."""
    if is_missing(text):
        return ""
    vocabulary = _vocabulary or _Vocabulary.of(rules)
    tokens = _TOKEN.findall(_base(str(text)).replace("(", " ").replace(")", " "))
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _is_cjk(token):
            for form in vocabulary.cjk_forms:
                if form not in vocabulary.countries:
                    token = token.replace(form, "")
            if token:
                kept.append(token)
            i += 1
            continue
        form = next((f for f in vocabulary.latin_forms if tuple(tokens[i:i + len(f)]) == f and " ".join(f) not in vocabulary.countries), None)
        if form:
            i += len(form)
            continue
        kept.append(token)
        i += 1
    for word in vocabulary.project_words:
        if _is_cjk(word[0]):
            joined = "".join(word)
            if kept and kept[-1].endswith(joined) and len(kept[-1]) > len(joined):
                kept[-1] = kept[-1][: -len(joined)]
                break
        elif len(kept) > len(word) and tuple(kept[-len(word):]) == word:
            del kept[-len(word):]
            break
    return _join(kept)


# --- matches ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    """A stored record that is likely the same project as the candidate: which, where, how sure, and why."""

    code: str
    district: str
    score: float  # 0-100
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PairMatch:
    """A likely duplicate pair for the office's queue (codes in sorted order)."""

    codes: tuple[str, str]
    districts: tuple[str, str]
    score: float
    reasons: tuple[Reason, ...]

    @property
    def pair(self) -> frozenset[str]:
        return frozenset(self.codes)


@dataclass(frozen=True)
class Comparison:
    """The full verdict on one pair, raised or not, with every reason (for the office: "why not?")."""

    raised: bool
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class _Features:
    """One record as the matcher sees it."""

    code: str
    district: str
    name: NameKey
    project: str
    credit: str  # valid codes only, else ""
    sector: str
    amount: float  # 万元 CNY, NaN when unknown


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value)


def _amount(amount: Any, currency: Any) -> float:
    value = investment_cny_wan(None if is_missing(amount) else amount, None if is_missing(currency) else currency)
    return value if value > 0 else float("nan")


class MatchIndex:
    """The stored projects prepared once for matching (rebuild it when the stored projects change)."""

    def __init__(self, records: pd.DataFrame, rules: Mapping[str, Any], vocabulary: _Vocabulary, features: list[_Features]):
        self.records = records
        self.rules = dict(rules)
        self.vocabulary = vocabulary
        self.codes = np.array([f.code for f in features], dtype=object)
        self.districts = np.array([f.district for f in features], dtype=object)
        self.core = np.array([f.name.core for f in features], dtype=object)
        self.trade = np.array([f.name.trade for f in features], dtype=object)
        self.places = [f.name.places for f in features]
        self.script = np.array([f.name.script for f in features], dtype=np.int8)
        self.project = np.array([f.project for f in features], dtype=object)
        self.project_length = np.array([len(f.project.replace(" ", "")) for f in features], dtype=np.int32)
        self.credit = np.array([f.credit for f in features], dtype=object)
        self.sector = np.array([f.sector for f in features], dtype=object)
        self.amount = np.array([f.amount for f in features], dtype=np.float64)
        self.position = {code: i for i, code in enumerate(self.codes)}
        # integer ids for what is compared for equality (numpy compares ints much faster than strings)
        self.district_id, self.district_ids = _factorize(self.districts)
        self.credit_id, self.credit_ids = _factorize(self.credit)
        self.sector_id, self.sector_ids = _factorize(self.sector)
        # per script, the rows and their strings, ready for a query against every stored record
        self._by_script = {}
        for script in (CJK, LATIN):
            rows = np.flatnonzero(self.script == script)
            self._by_script[script] = (rows, self.core[rows].tolist(), self.trade[rows].tolist())

    @classmethod
    def build(cls, stored: pd.DataFrame, rules: Mapping[str, Any] = DEFAULT_RULES) -> MatchIndex:
        problems = rule_problems(rules)
        if problems:
            raise ValueError(f"invalid duplicate rules: {[(p.key, dict(p.params)) for p in problems]}")
        vocabulary = _Vocabulary.of(rules)
        frame = pd.DataFrame(stored).reset_index(drop=True)
        columns = ("code", "district", "investor", "name", CREDIT_CODE_FIELD, "sector", "investment_wan", "currency")
        values = {c: frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in columns}
        cache: dict[tuple[str, Any], Any] = {}  # an investor with several projects is normalised once
        features = [
            _prepare(dict(zip(columns, row)), vocabulary, rules, cache) for row in zip(*(values[c] for c in columns))
        ]
        return cls(frame, rules, vocabulary, features)

    def __len__(self) -> int:
        return len(self.codes)

    def _row(self, i: int) -> _Features:
        script = int(self.script[i])
        return _Features(self.codes[i], self.districts[i], NameKey(self.core[i], self.trade[i], self.places[i], script),
                         self.project[i], self.credit[i], self.sector[i], float(self.amount[i]))

    def find(self, candidate: Mapping[str, Any], decided: Iterable[frozenset] = ()) -> list[Match]:
        """The likely matches of one (new or edited) project, best first."""
        q = _prepare(candidate, self.vocabulary, self.rules)
        result = self._evaluate(q, np.arange(len(self)), _partners(decided, q.code))
        chosen = np.flatnonzero(result["raised"])
        order = chosen[np.lexsort((self.codes[chosen].astype(str), -result["score"][chosen]))]
        matches = []
        for j in order[: int(self.rules["max_matches"])]:
            row = result["at"](int(j))
            matches.append(Match(self.codes[j], self.districts[j], _round(row["score"]), self._reasons(row)))
        return matches

    def _evaluate(self, q: _Features, idx: np.ndarray, partners: set[str]) -> dict[str, Any]:
        """Every signal for the candidate `q` against the stored rows `idx`, as arrays aligned with `idx`."""
        rules = self.rules
        n = len(idx)
        full = n == len(self)  # idx is every row, in order: no indexing needed
        own = self.position.get(q.code, -1)
        same_record = idx == own
        decided = np.isin(idx, [self.position[c] for c in partners if c in self.position]) if partners else np.zeros(n, bool)
        same_district = (self.district_ids if full else self.district_ids[idx]) == self.district_id.get(q.district, -2)
        if q.credit:
            credit = self.credit_ids if full else self.credit_ids[idx]
            credit_equal = credit == self.credit_id.get(q.credit, -2)
            credit_differs = (credit >= 0) & ~credit_equal
        else:
            credit_equal = credit_differs = np.zeros(n, bool)
        script = self.script if full else self.script[idx]
        comparable = (script == q.name.script) & (script != NONE)
        investor = np.zeros(n, np.float32)
        core = np.zeros(n, np.float32)
        trade = np.zeros(n, np.float32)
        w = float(rules["trade_name_weight"])
        if q.name.script != NONE and comparable.any():
            if full:
                sub, cores, trades = self._by_script[q.name.script]
            else:
                sub = np.flatnonzero(comparable)
                cores, trades = self.core[idx[sub]], self.trade[idx[sub]]
            trade[sub] = _row_scores(q.name.trade, trades)
            # The whole name only where the trade name leaves the pair a chance (always for a few rows, so
            # that `compare` explains every score): below, even an equal whole name cannot reach the threshold.
            reach = float(rules["threshold"]) - float(rules["project_bonus"]) - float(rules["sector_amount_bonus"])
            chance = trade[sub] >= (reach - (1 - w) * 100) / w if w > 0 else np.ones(len(sub), bool)
            if len(sub) <= 64 or chance.all():
                core[sub] = _row_scores(q.name.core, cores)
            elif chance.any():
                keep = np.flatnonzero(chance)
                core[sub[keep]] = _row_scores(q.name.core, [cores[k] for k in keep])
            investor = w * trade + (1 - w) * core
        project = np.zeros(n, np.float32)
        minimum = int(rules["project_min_length"])
        if len(q.project.replace(" ", "")) >= minimum:
            # where the project's name decides (investors not comparable) or may add its points
            needed = (self.project_length if full else self.project_length[idx]) >= minimum
            if n > 64:
                reach = float(rules["threshold"]) - float(rules["project_bonus"]) - float(rules["sector_amount_bonus"])
                needed &= ~comparable | (investor >= reach)
            sub = np.flatnonzero(needed)
            if len(sub):
                project[sub] = _row_scores(q.project, self.project[sub if full else idx[sub]])
        sector_amount = np.zeros(n, bool)
        if q.sector and q.amount == q.amount:
            amounts = self.amount if full else self.amount[idx]
            with np.errstate(invalid="ignore"):
                close = np.abs(amounts - q.amount) <= float(rules["amount_tolerance"]) * np.fmax(amounts, q.amount)
            sector_amount = ((self.sector_ids if full else self.sector_ids[idx]) == self.sector_id.get(q.sector, -2)) & close
        project_supports = project >= float(rules["project_support_min"])
        bonus = sector_amount * float(rules["sector_amount_bonus"])
        threshold = float(rules["threshold"])
        # Two refinements, only where they could change the outcome (both only ever lower a score): a Latin
        # trade name is compared word by word (see word_difference_weight: "Mid-Atlantic Hartmann
        # Aerostructures" is not "Mid-Atlantic Hoffmann Aerostructures", though the characters are 92 %
        # alike); names naming different places lose points.
        place_conflict = np.zeros(n, bool)
        possible = comparable & (investor + float(rules["project_bonus"]) + float(rules["sector_amount_bonus"]) >= threshold)
        if q.name.script == LATIN:
            words, strictness = q.name.trade.split(), float(rules["word_difference_weight"])
            for k in np.flatnonzero(possible):
                trade[k] = min(trade[k], max(100 - strictness * (100 - _word_score(words, self.trade[idx[k]].split())), 0))
            investor = w * trade + (1 - w) * core
        if q.name.places:
            for k in np.flatnonzero(possible):
                theirs = self.places[idx[k]]
                if theirs and not (theirs & q.name.places):
                    place_conflict[k] = True
        investor = np.where(place_conflict, np.maximum(investor - float(rules["place_conflict_penalty"]), 0), investor)
        # Investors named in one script on both sides: their names decide, the project's name and the
        # sector and amount support. Otherwise (one in Chinese, one in Latin script, or one unknown) the
        # project's name decides, the sector and amount support.
        by_names = investor + project_supports * float(rules["project_bonus"]) + bonus
        by_project = project + bonus
        score = np.minimum(np.where(comparable, by_names, by_project), 100)
        score = np.where(credit_equal, 100, score)
        investors_differ = comparable & (investor < threshold)
        excluded = same_record | decided | credit_differs | (same_district & (not rules["within_district"]))
        raised = ~excluded & (score >= float(rules["threshold"]))
        arrays = {
            "same_record": same_record, "decided": decided, "same_district": same_district, "credit_equal": credit_equal,
            "credit_differs": credit_differs, "comparable": comparable, "investor": investor, "place_conflict": place_conflict,
            "project": project, "project_supports": project_supports, "investors_differ": investors_differ,
            "sector_amount": sector_amount, "score": score,
            "raised": raised, "script": script, "q": q, "idx": idx,
        }
        arrays["at"] = lambda k: {name: (value[k] if isinstance(value, np.ndarray) else value) for name, value in arrays.items()}
        return arrays

    def _reasons(self, r: Mapping[str, Any], negatives: bool = False) -> tuple[Reason, ...]:
        """The reasons for one row of an evaluation: why it is a match (and, with `negatives`, why not)."""
        rules, q = self.rules, r["q"]
        j = int(r["idx"])
        out: list[Reason] = []
        if negatives:
            if r["same_record"]:
                out.append(Reason("duplicates.reason.same_record", {"code": q.code}))
            if r["decided"]:
                out.append(Reason("duplicates.reason.decided", {}))
            if r["credit_differs"]:
                out.append(Reason("duplicates.reason.credit_code_differs", {}))
            if r["same_district"] and not rules["within_district"]:
                out.append(Reason("duplicates.reason.same_district", {}))
        if r["credit_equal"]:
            out.append(Reason("duplicates.reason.credit_code_equal", {}))
        floor = float(rules["reason_floor"])
        if r["comparable"] and r["investor"] >= floor:
            out.append(Reason("duplicates.reason.investor_similar", {"score": _round(r["investor"])}))
        if r["place_conflict"]:
            out.append(Reason("duplicates.reason.place_differs", {
                "places": "/".join(sorted(q.name.places)), "other_places": "/".join(sorted(self.places[j]))}))
        if (r["project_supports"] if r["comparable"] else r["project"] >= floor):
            out.append(Reason("duplicates.reason.project_similar", {"score": _round(r["project"])}))
        if q.name.script != NONE and r["script"] != NONE and not r["comparable"]:
            out.append(Reason("duplicates.reason.scripts_differ", {}))
        if r["sector_amount"]:
            out.append(Reason("duplicates.reason.sector_amount_close", {"tolerance": _round(100 * float(rules["amount_tolerance"]))}))
        if negatives:
            if r["investors_differ"] and r["project"] >= floor:
                out.append(Reason("duplicates.reason.investor_differs", {"score": _round(r["investor"])}))
            if r["score"] < float(rules["threshold"]):
                out.append(Reason("duplicates.reason.below_threshold", {"score": _round(r["score"]), "threshold": rules["threshold"]}))
        return tuple(out)

    def blocking_keys(self) -> list[list[str]]:
        """The keys each record is blocked on in find_all_pairs: its valid credit code, and its investor's
        trade name: pairs of characters in Chinese, each word's first and last four letters in Latin script."""
        keys = []
        for i in range(len(self)):
            mine = [f"c{self.credit[i]}"] if self.credit[i] else []
            if self.script[i] == CJK:
                mine += [f"z{g}" for g in _grams(self.trade[i].replace(" ", ""), 2)]
            elif self.script[i] == LATIN:
                # each word's first and last four letters (a typo keeps one of them), and the same of each two
                # neighbouring words (rarer, for names made of common words: "Hansa Neckar Logistik")
                words = self.trade[i].split()
                mine += [f"l{k}" for word in words for k in (f"{word[:4]}-", f"-{word[-4:]}")]
                mine += [f"l{a[:4]}-{b[:4]}-" for a, b in zip(words, words[1:])]
                mine += [f"l-{a[-4:]}-{b[-4:]}" for a, b in zip(words, words[1:])]
            keys.append(sorted(set(mine)))
        return keys

    def candidate_pairs(self) -> np.ndarray:
        """The pairs (i < j, row numbers) find_all_pairs compares, as an array of shape (k, 2).

        - Within blocks: records sharing their credit code, or a key of their investor's trade name (see
          `blocking_keys`) that at most `block_max_size` records share (a more common one says little).
        - Records whose investors cannot be compared by name (one in Chinese, the other in Latin script, or
          one unknown) can only be joined by their project names: for those, every pair whose project names
          could reach the threshold, from rapidfuzz's cdist over the two groups (no blocking: no pair lost).
        """
        n = len(self)
        found: list[np.ndarray] = []
        members: dict[str, list[int]] = {}
        for i, mine in enumerate(self.blocking_keys()):
            for key in mine:
                members.setdefault(key, []).append(i)
        cap = int(self.rules["block_max_size"])
        for key, ids in members.items():
            if len(ids) > 1 and (key[0] == "c" or len(ids) <= cap):
                block = np.array(ids, dtype=np.int64)
                a, b = np.triu_indices(len(block), k=1)
                found.append(block[a] * n + block[b])
        minimum = int(self.rules["project_min_length"])
        cutoff = float(self.rules["threshold"]) - float(self.rules["sector_amount_bonus"])
        named = self.project_length >= minimum
        groups = {s: np.flatnonzero(named & (self.script == s)) for s in (NONE, CJK, LATIN)}
        for left, right in ((CJK, LATIN), (NONE, CJK), (NONE, LATIN), (NONE, NONE)):
            rows_a, rows_b = groups[left], groups[right]
            if not len(rows_a) or not len(rows_b):
                continue
            names_b = self.project[rows_b].tolist()
            for start in range(0, len(rows_a), 2000):
                chunk = rows_a[start:start + 2000]
                scores = process.cdist(self.project[chunk].tolist(), names_b, scorer=fuzz.ratio, dtype=np.uint8,
                                       score_cutoff=cutoff, workers=1)
                a, b = np.nonzero(scores)
                i, j = chunk[a], rows_b[b]
                keep = i != j
                found.append(np.minimum(i, j)[keep] * n + np.maximum(i, j)[keep])
        if not found:
            return np.zeros((0, 2), dtype=np.int64)
        codes = np.unique(np.concatenate(found))
        return np.stack([codes // n, codes % n], axis=1)

    def all_pairs(self, decided: Iterable[frozenset] = ()) -> list[PairMatch]:
        """Every likely duplicate pair between stored records, each once, best first."""
        partners_of: dict[str, set[str]] = {}
        for pair in decided:
            if len(pair) == 2:
                a, b = tuple(pair)
                partners_of.setdefault(a, set()).add(b)
                partners_of.setdefault(b, set()).add(a)
        candidates = self.candidate_pairs()
        pairs: list[PairMatch] = []
        if not len(candidates):
            return pairs
        starts = np.flatnonzero(np.r_[True, candidates[1:, 0] != candidates[:-1, 0]])
        for first, last in zip(starts, np.r_[starts[1:], len(candidates)]):
            i = int(candidates[first, 0])
            others = candidates[first:last, 1]
            q = self._row(i)
            result = self._evaluate(q, others, partners_of.get(q.code, set()))
            for k in np.flatnonzero(result["raised"]):
                j = int(others[k])
                (a, da), (b, db) = sorted([(q.code, q.district), (self.codes[j], self.districts[j])])
                pairs.append(PairMatch((a, b), (da, db), _round(result["score"][k]), self._reasons(result["at"](int(k)))))
        pairs.sort(key=lambda p: (-p.score, p.codes))
        return pairs


def _prepare(record: Mapping[str, Any], vocabulary: _Vocabulary, rules: Mapping[str, Any],
             cache: dict[tuple[str, Any], Any] | None = None) -> _Features:
    def once(kind: str, value: Any, normalise):
        if cache is None or not isinstance(value, str):
            return normalise(value, rules, _vocabulary=vocabulary)
        key = (kind, value)
        if key not in cache:
            cache[key] = normalise(value, rules, _vocabulary=vocabulary)
        return cache[key]

    credit = check_credit_code(record.get(CREDIT_CODE_FIELD))
    return _Features(
        code=_text(record.get("code")),
        district=_text(record.get("district")),
        name=once("investor", record.get("investor"), normalise_name),
        project=once("project", record.get("name"), normalise_project_name),
        credit=credit.value if credit.valid else "",
        sector=_text(record.get("sector")),
        amount=_amount(record.get("investment_wan"), record.get("currency")),
    )


def _row_scores(query: str, choices: np.ndarray) -> np.ndarray:
    """rapidfuzz's normalised Indel similarity (0-100) of one string against many."""
    return process.cdist([query], choices, scorer=fuzz.ratio, dtype=np.float32, workers=1)[0]


def _factorize(values: np.ndarray) -> tuple[dict[str, int], np.ndarray]:
    """Ids for the distinct non-empty values ("" gets -1), and each value's id."""
    ids: dict[str, int] = {}
    out = np.array([ids.setdefault(v, len(ids)) if v else -1 for v in values], dtype=np.int32)
    return ids, out


def _word_score(ours: Sequence[str], theirs: Sequence[str]) -> float:
    """How well each word of either name finds a close word in the other (0-100: the worst word's best).
    Names have a handful of words: plain loops over rapidfuzz's ratio beat building a matrix."""
    if not ours or not theirs:
        return 0.0
    best_of_theirs = [0.0] * len(theirs)
    worst = 100.0
    for a in ours:
        best = 0.0
        for k, b in enumerate(theirs):
            score = fuzz.ratio(a, b)
            best = max(best, score)
            best_of_theirs[k] = max(best_of_theirs[k], score)
        worst = min(worst, best)
    return min(worst, *best_of_theirs)


def _grams(text: str, n: int) -> set[str]:
    return {text[k:k + n] for k in range(len(text) - n + 1)} if len(text) >= n else {text}


def _partners(decided: Iterable[frozenset], code: str) -> set[str]:
    return {other for pair in decided if code in pair for other in pair if other != code}


def _round(value: Any) -> float:
    return round(float(value), 1)


# The rules that shape the prepared strings: an index built with other values of these must be built again.
_NORMALISATION_RULES = ("strip_places", "places", "countries", "legal_forms", "generic_words", "project_words")


def _index(stored: pd.DataFrame | MatchIndex, rules: Mapping[str, Any]) -> MatchIndex:
    if not isinstance(stored, MatchIndex):
        return MatchIndex.build(stored, rules)
    if rules is DEFAULT_RULES or dict(rules) == stored.rules:
        return stored
    if any(rules.get(name) != stored.rules[name] for name in _NORMALISATION_RULES):
        raise ValueError("the index was built with other normalisation rules: build it again with these rules")
    problems = rule_problems(rules)
    if problems:
        raise ValueError(f"invalid duplicate rules: {[(p.key, dict(p.params)) for p in problems]}")
    other = copy.copy(stored)  # same prepared arrays, other thresholds
    other.rules = dict(rules)
    return other


def find_matches(candidate: Mapping[str, Any], stored: pd.DataFrame | MatchIndex, rules: Mapping[str, Any] = DEFAULT_RULES,
                 decided: Iterable[frozenset] = ()) -> list[Match]:
    """The stored projects likely to be the same as `candidate`, best first, above the rules' threshold.

    Never raised: the candidate's own record (same code), pairs in `decided` (frozensets of two codes the
    office has ruled on), records whose valid credit code differs from the candidate's, and (by default)
    records of the candidate's own district. Pass a `MatchIndex` to prepare the stored side only once.
    """
    return _index(stored, rules).find(candidate, decided)


def find_all_pairs(stored: pd.DataFrame | MatchIndex, rules: Mapping[str, Any] = DEFAULT_RULES,
                   decided: Iterable[frozenset] = ()) -> list[PairMatch]:
    """The office's queue: every likely duplicate pair among the stored projects, each pair once, best first,
    without the pairs already decided. Which records are compared: `MatchIndex.candidate_pairs`."""
    return _index(stored, rules).all_pairs(decided)


def compare(a: Mapping[str, Any], b: Mapping[str, Any], rules: Mapping[str, Any] = DEFAULT_RULES,
            decided: Iterable[frozenset] = ()) -> Comparison:
    """Two records judged as find_matches would judge them, with every reason, also why a pair is not raised."""
    index = MatchIndex.build(pd.DataFrame([dict(b)]), rules)
    q = _prepare(a, index.vocabulary, index.rules)
    result = index._evaluate(q, np.arange(1), _partners(decided, q.code))
    row = result["at"](0)
    return Comparison(bool(row["raised"]), _round(row["score"]), index._reasons(row, negatives=True))


# --- what each side may see -------------------------------------------------------------------------

@dataclass(frozen=True)
class DistrictNotice:
    """What a district is told about its project's matches: how many likely matches other districts hold,
    and which of its own records match (those are its own). Nothing of another district's record."""

    district: str
    matches_elsewhere: int
    own_matches: tuple[str, ...]  # codes of the district's own records (only when within_district is on)
    reason: Reason


def visible_to_district(matches: Iterable[Match], district: str) -> DistrictNotice:
    """The notice a district's staff see after a create, edit or upload (count only; no code, name,
    investor, amount or district of another district's confidential record)."""
    matches = list(matches)
    elsewhere = sum(1 for m in matches if m.district != district)
    own = tuple(m.code for m in matches if m.district == district)
    key = "duplicates.notice.elsewhere" if elsewhere else "duplicates.notice.none"
    return DistrictNotice(district, elsewhere, own, Reason(key, {"count": elsewhere}))


@dataclass(frozen=True)
class OfficePair:
    """Both records of a likely match, for the investment office, which decides."""

    left: dict
    right: dict
    score: float
    reasons: tuple[Reason, ...]


def office_pair(match: Match | PairMatch, stored: pd.DataFrame | MatchIndex, candidate: Mapping[str, Any] | None = None,
                rules: Mapping[str, Any] = DEFAULT_RULES) -> OfficePair:
    """The two records of a match for the office: for a `Match`, the candidate and the stored record; for a
    `PairMatch` from the queue, both stored records."""
    index = _index(stored, rules)

    def record(code: str) -> dict:
        return {k: (None if _missing_cell(v) else v) for k, v in index.records.iloc[index.position[code]].to_dict().items()}

    if isinstance(match, PairMatch):
        return OfficePair(record(match.codes[0]), record(match.codes[1]), match.score, match.reasons)
    if candidate is None:
        raise ValueError("a Match needs its candidate record")
    return OfficePair(dict(candidate), record(match.code), match.score, match.reasons)


def _missing_cell(value: Any) -> bool:
    return not isinstance(value, (list, tuple, dict, np.ndarray)) and is_missing(value)


# --- decisions --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    """The office's ruling on a pair: the same project (hosted by one district, first contact credited to
    another or the same) or two different projects. Stored as data; a decided pair is never raised again."""

    pair: frozenset[str]
    outcome: str  # "same" | "different"
    hosting_district: str | None
    first_contact_district: str | None
    decided_by: str
    decided_at: dt.datetime
    note: str = ""

    def to_record(self) -> dict:
        return {
            "pair": sorted(self.pair), "outcome": self.outcome, "hosting_district": self.hosting_district,
            "first_contact_district": self.first_contact_district, "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(), "note": self.note,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Decision:
        at = record["decided_at"]
        return cls(frozenset(record["pair"]), record["outcome"], record.get("hosting_district"),
                   record.get("first_contact_district"), record["decided_by"],
                   at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at), record.get("note") or "")


@dataclass(frozen=True)
class DecisionEffect:
    """What a decision changes: the record kept (in the hosting district), the record retired into it,
    field changes per record code, and why; or the problems that keep it from being applied."""

    keep: str | None
    retire: str | None
    changes: Mapping[str, Mapping[str, Any]]
    reasons: tuple[Reason, ...]
    problems: tuple[Reason, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def decided_pairs(decisions: Iterable[Decision]) -> set[frozenset[str]]:
    """The pairs the office has ruled on (either way): pass them to find_matches and find_all_pairs."""
    return {frozenset(d.pair) for d in decisions}


def validate_decision(decision: Decision, records: Mapping[str, Mapping[str, Any]]) -> list[Reason]:
    """Everything that keeps a decision from being applied to these records (code -> record)."""
    problems = []
    pair = sorted(decision.pair)
    if len(pair) != 2:
        return [Reason("duplicates.decision.not_a_pair", {"count": len(pair)})]
    for code in pair:
        if code not in records:
            problems.append(Reason("duplicates.decision.unknown_record", {"code": code}))
    if decision.outcome not in OUTCOMES:
        problems.append(Reason("duplicates.decision.bad_outcome", {"value": str(decision.outcome)}))
    if is_missing(decision.decided_by):
        problems.append(Reason("duplicates.decision.no_decider", {}))
    if problems or decision.outcome != "same":
        return problems
    districts = {records[c].get("district") for c in pair}
    if decision.hosting_district not in districts:
        problems.append(Reason("duplicates.decision.hosting_not_in_pair", {"district": str(decision.hosting_district)}))
    allowed = districts | {records[c].get("origin_district") for c in pair if not is_missing(records[c].get("origin_district"))}
    if decision.first_contact_district is not None and decision.first_contact_district not in allowed:
        problems.append(Reason("duplicates.decision.first_contact_not_in_pair", {"district": str(decision.first_contact_district)}))
    return problems


def _registered(record: Mapping[str, Any]) -> tuple:
    when = record.get("reported_on")
    return (0, when, record.get("code")) if not is_missing(when) else (1, dt.date.max, record.get("code"))


def apply_decision(decision: Decision, records: Mapping[str, Mapping[str, Any]]) -> DecisionEffect:
    """What a decision changes in the records of its pair (code -> record); pure: the caller stores it.

    "different": nothing changes; the pair is recorded and never raised again. "same": the record in the
    hosting district is kept and the other retired into it; the kept record's `origin_district` (首谈地)
    becomes the first-contact district (the office's choice, else the district of the earlier registration),
    so the other district keeps its first-contact credit; and the earlier registration (`reported_by`,
    `reported_on`, 信息首报) wins. Both districts in one district: the earlier registered record is kept.
    """
    problems = validate_decision(decision, records)
    if problems:
        return DecisionEffect(None, None, {}, (), tuple(problems))
    if decision.outcome == "different":
        return DecisionEffect(None, None, {}, (Reason("duplicates.decision.different", {}),))
    a, b = (records[c] for c in sorted(decision.pair))
    hosting = [r for r in (a, b) if r.get("district") == decision.hosting_district]
    keep = min(hosting, key=_registered)
    other = b if keep is a else a
    earlier = min((a, b), key=_registered)
    first_contact = decision.first_contact_district
    if first_contact is None:
        origin = earlier.get("origin_district")
        first_contact = origin if not is_missing(origin) else earlier.get("district")
    changes: dict[str, Any] = {}
    reasons = [Reason("duplicates.decision.same", {"district": decision.hosting_district, "code": keep["code"], "other": other["code"]})]
    if keep.get("origin_district") != first_contact:
        changes["origin_district"] = first_contact
    reasons.append(Reason("duplicates.decision.first_contact", {"district": first_contact}))
    if earlier is other and not is_missing(other.get("reported_on")):
        changes["reported_by"] = other.get("reported_by")
        changes["reported_on"] = other.get("reported_on")
        reasons.append(Reason("duplicates.decision.earlier_registration", {"code": other["code"], "date": str(other["reported_on"])}))
    return DecisionEffect(keep["code"], other["code"], {keep["code"]: changes} if changes else {}, tuple(reasons))
