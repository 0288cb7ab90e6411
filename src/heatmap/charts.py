"""Charts whose every word is in the reader's language: axis titles, legends, tooltips and months.

Streamlit's own quick charts (st.bar_chart, st.line_chart) title their tooltips with the data's column names
and the words "value" and "color", and name months on a time axis in English; these Altair charts say only
what the caller gives them.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from heatmap import i18n

# Time axes without month names (a chart names months in English whatever the page's language).
MONTH_AXIS_FORMAT = {"zh": "%Y年%-m月", "en": "%b %Y", "de": "%m/%Y"}


def grouped_bars(frame: pd.DataFrame, category: str, measures: list[str], lang: str, height: int = 420) -> alt.Chart:
    """Horizontal bars of several measures (columns already titled in the language) for each category."""
    long = frame.melt(id_vars=[category], value_vars=measures, var_name="measure", value_name="amount")
    long["amount_text"] = [i18n.fmt_decimal(v, lang, 1) for v in long["amount"]]
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None, sort=list(frame[category])),
        x=alt.X("amount:Q", title=None),
        yOffset=alt.YOffset("measure:N", title=None),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip(f"{category}:N", title=category), alt.Tooltip("measure:N", title=" "),
                 alt.Tooltip("amount_text:N", title=" ")],
    ).properties(height=height)


def bars(frame: pd.DataFrame, category: str, value: str, lang: str, height: int = 360, digits: int = 0) -> alt.Chart:
    """Horizontal bars of one measure (its column titled in the language) for each category."""
    data = frame.assign(value_text=[i18n.fmt_decimal(v, lang, digits) for v in frame[value]])
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None, sort=list(frame[category])),
        x=alt.X(f"{value}:Q", title=None),
        tooltip=[alt.Tooltip(f"{category}:N", title=category), alt.Tooltip("value_text:N", title=value)],
    ).properties(height=height)


def lines_over_time(frame: pd.DataFrame, moment: str, value: str, series: str, lang: str, height: int = 320) -> alt.Chart:
    """One line per series over time; months on the axis and dates in the tooltip in the language."""
    data = frame.assign(moment_text=[i18n.fmt_date(m, lang) for m in frame[moment]],
                        value_text=[i18n.fmt_decimal(v, lang, 1) for v in frame[value]])
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X(f"{moment}:T", title=None, axis=alt.Axis(format=MONTH_AXIS_FORMAT[i18n.normalize_language(lang)])),
        y=alt.Y(f"{value}:Q", title=value),
        color=alt.Color(f"{series}:N", title=series, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("moment_text:N", title=" "), alt.Tooltip(f"{series}:N", title=series),
                 alt.Tooltip("value_text:N", title=value)],
    ).properties(height=height)
