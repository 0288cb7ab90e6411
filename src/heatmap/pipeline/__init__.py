"""The project pipeline as a domain of its own (issue 9): one idea per module — projects (stages as events,
code names), reports (calendar, snapshots, period diffs, valid leads), duplicates (matching), ledger (first
reports and the award basis), counting (one project counted once) and, later, grading, transfers and the
scoreboard. Every module is pure functions over plain records and pandas frames: no Streamlit, no SQL, no
store; rules are data (each module's `DEFAULT_RULES`, checked by its `validate_rules`), and every decision
comes with the reason for it.
"""
