"""The project pipeline as a working process (issue 9): stages as events and code names (`projects`),
the bi-monthly reporting calendar, snapshots, period diffs and the valid-lead test (`reports`), and the
other rules of the seed's work process, one idea per module. Every module is pure functions over plain
records (dicts) and pandas frames: no Streamlit, no SQL; rules are data (`DEFAULT_RULES` in each module,
checked by its `validate_rules`), and every decision comes with the reason for it as an i18n key and params.
"""
