"""The project pipeline as a working process (issue 9): pure functions over plain records and data frames.

One idea per module: projects (stages as events, code names), reports (calendar, snapshots, period diffs,
valid-lead test), duplicates (one project counted once), ledger (first reports), counting (counting rules).
Nothing here imports Streamlit, SQL or the store: rules come in as data (each module's `DEFAULT_RULES`,
checked by its `validate_rules`), records as dicts shaped like `heatmap.model.PROJECT_FIELDS`, and every
decision comes back with its reason (an i18n key and params), never a bare bool.
"""
