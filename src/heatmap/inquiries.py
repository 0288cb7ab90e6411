"""Online inquiries (在线咨询): what an investor's question about a site must hold."""
from __future__ import annotations

from typing import Any, Mapping

from heatmap.model import Problem

LIMITS = {"name": 80, "company": 120, "contact": 120, "message": 2000}
REQUIRED = ("name", "contact", "message")
MAX_PER_SESSION_HOUR = 5  # a browser session may send this many an hour (against floods, not a wall)


def validate(inquiry: Mapping[str, Any]) -> list[Problem]:
    """Every problem with an inquiry: required fields and lengths (the text itself is kept as written)."""
    problems = []
    for field, limit in LIMITS.items():
        value = inquiry.get(field)
        text = value.strip() if isinstance(value, str) else ""
        if field in REQUIRED and not text:
            problems.append(Problem("inquiry", field, "required"))
        elif len(text) > limit:
            problems.append(Problem("inquiry", field, "too_long", {"length": len(text), "maximum": limit}))
    return problems
