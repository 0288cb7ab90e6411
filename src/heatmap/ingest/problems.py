"""What is wrong with an uploaded file, and where: file, sheet, row, column, value."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

MAX_PROBLEMS_PER_SEVERITY = 1000  # per file: the first this many errors (warnings, notes) are listed, all counted
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class UploadProblem:
    """One problem in an upload. `key` names an i18n string "ingest.<key>" (catalogs i18n/ingest_*.py); `params` fill it.

    `row` is the row number the user sees in their tool (Excel/WPS row, 1-based, header included;
    for CSV the line number; for geodata the feature number, 1-based). None when the problem is
    about the whole file or sheet.
    """

    file: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # the column's header as written in the file
    value: str | None = None  # the offending cell, as text, shortened
    field: str | None = None  # the model field, when known
    severity: str = "error"  # "error" blocks the commit; "warning" does not; "info" says what was assumed or done

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class FileRejected(Exception):
    """The file as a whole cannot be read (empty, wrong type, unsafe zip, too large …)."""

    def __init__(self, problem: UploadProblem):
        self.problem = problem
        super().__init__(f"{problem.file}: {problem.key} {dict(problem.params)}")


class ProblemList(list):
    """The problems of one upload, bounded: the first `limit` of each severity are kept, every one is counted
    (`counts`), and `close` adds one problem per severity that had more, saying how many there were. A file
    with a bad value in each of a million cells so costs the memory of a thousand problems, not a million.

    `cells` remembers (sheet, row, field) of every error (kept or not), so a check can tell that a cell
    was already reported without the list holding it.
    """

    def __init__(self, problems: Iterable[UploadProblem] = (), limit: int | None = None):
        super().__init__()
        self.limit = MAX_PROBLEMS_PER_SEVERITY if limit is None else limit
        self.counts: Counter = Counter()
        self.cells: set[tuple[str | None, int, str | None]] = set()
        self.extend(problems)

    def append(self, problem: UploadProblem) -> None:
        self.counts[problem.severity] += 1
        if problem.is_error and problem.row is not None:
            self.cells.add((problem.sheet, problem.row, problem.field))
        if self.counts[problem.severity] <= self.limit:
            super().append(problem)

    def full(self, severity: str) -> bool:
        """True when another problem of this severity would only be counted (callers may then skip building it)."""
        return self.counts[severity] >= self.limit

    def tally(self, severity: str, cell: tuple[str | None, int, str | None] | None = None) -> None:
        """Count a problem that is not listed (see `full`); `cell` is its (sheet, row, field) for an error."""
        self.counts[severity] += 1
        if severity == "error" and cell is not None:
            self.cells.add(cell)

    def extend(self, problems: Iterable[UploadProblem]) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[UploadProblem]) -> "ProblemList":
        self.extend(problems)
        return self

    def __reduce__(self):  # pickling and copying rebuild it as it is, without counting again
        return (_restore_problems, (list(self), self.limit, dict(self.counts), set(self.cells)))

    def omitted(self, severity: str) -> int:
        return max(0, self.counts[severity] - self.limit)

    def close(self, file: str) -> None:
        """One problem per severity with more than `limit`: how many there were in all (added once)."""
        for severity in SEVERITIES:
            if self.omitted(severity) and not any(p.key == "problems_omitted" and p.severity == severity for p in self):
                super().append(UploadProblem(file, "problems_omitted", {
                    "shown": f"{self.limit:,}", "total": f"{self.counts[severity]:,}",
                    "omitted": f"{self.omitted(severity):,}"}, severity=severity))


def _restore_problems(items, limit, counts, cells) -> ProblemList:
    restored = ProblemList(limit=limit)
    list.extend(restored, items)
    restored.counts.update(counts)
    restored.cells.update(cells)
    return restored
