"""What is wrong with an uploaded file, and where: file, sheet, row, column, value."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


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
