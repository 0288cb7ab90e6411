"""The scoreboard's one-page summary for the leading group's meeting (领导小组会议): a printable A4 PDF with the
period, the ranked districts (total, change against the previous period, the main figures), a bar of each
district's total, and the city's totals, in Chinese or English.

Chinese text is set in Adobe's standard CID font STSong-Light (reportlab's `UnicodeCIDFont`): no font file to
ship, and every PDF reader (Acrobat, Chromium's viewer, pdf.js) carries or substitutes it; English pages use
Helvetica. The table's font shrinks with the number of districts so the page stays one page.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from heatmap import i18n
from heatmap.pipeline import scoreboard as sb

CJK_FONT = "STSong-Light"
COLUMNS = ("rank", "district", "total", "total_change", "signed_projects", "signed_cny_wan", "credit_settled_projects",
           "new_valid_leads", "report_state")
BAR_COLOUR = colors.HexColor("#2c7fb8")


def _font(lang: str) -> str:
    if i18n.normalize_language(lang) != "zh":
        return "Helvetica"
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def _bars(board: sb.Board, names: Mapping[str, str], font: str, width: float, row: float) -> Drawing:
    """Each district's total as a horizontal bar, best first (negative totals drawn from zero leftwards)."""
    points = board.points
    label_width, value_width = 80 * mm, 18 * mm
    span = width - label_width - value_width
    low, high = min(0.0, float(points["total"].min())), max(0.0, float(points["total"].max()))
    scale = span / (high - low) if high > low else 0.0
    zero = label_width + (-low) * scale
    drawing = Drawing(width, row * len(points) + 2)
    for i, rec in enumerate(points.to_dict("records")):
        y = row * (len(points) - 1 - i) + 1
        drawing.add(String(0, y + 2, str(names.get(rec["district"], rec["district"])), fontName=font, fontSize=min(row * 0.6, 7)))
        start, end = sorted((zero, zero + rec["total"] * scale))
        drawing.add(Rect(start, y, max(end - start, 0.5), row * 0.7, fillColor=BAR_COLOUR, strokeColor=None))
        drawing.add(String(width - value_width + 2, y + 2, f"{rec['total']:,.2f}", fontName=font, fontSize=row * 0.6))
    return drawing


def _number(value) -> str:
    """A cell: amounts of a thousand and more without decimals (they would wrap), other numbers with two."""
    if not isinstance(value, float):
        return str(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"


def summary_pdf(now: sb.Board, before: sb.Board | None, lang: str, names: Mapping[str, str], *,
                rules_version: int | None, made_at: dt.datetime, sample: bool = False) -> bytes:
    """The one-page summary as PDF bytes (`made_at`: naive UTC, shown in Taicang's time)."""
    font = _font(lang)
    n = len(now.points)
    size = 8 if n <= 16 else 6.5 if n <= 28 else 5
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    table = sb.labelled(sb.ranking(now, before)[list(COLUMNS)], lang, names)
    head = ParagraphStyle("head", fontName=font, fontSize=size, leading=size + 2, wordWrap="CJK" if font == CJK_FONT else None)
    cells = [[Paragraph(str(c), head) for c in table.columns]]
    cells += [[Paragraph(_number(v), head) for v in row] for row in table.itertuples(index=False)]
    width = A4[0] - 28 * mm
    fixed = (11 * mm, 52 * mm, 24 * mm)  # rank, district, report
    numbers = [(width - sum(fixed)) / (len(COLUMNS) - 3)] * (len(COLUMNS) - 3)
    grid = Table(cells, repeatRows=1, hAlign="LEFT", colWidths=[fixed[0], fixed[1], *numbers, fixed[2]])
    grid.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), size), ("LEADING", (0, 0), (-1, -1), size + 2),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#deebf7")), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    figures = now.figures
    city = i18n.t("scoreboard.pdf.city", lang, signed=i18n.fmt_int(figures["signed_projects"].sum(), lang),
                  amount=i18n.fmt_cny_wan(figures["signed_cny_wan"].sum(), lang),
                  settled=i18n.fmt_int(figures["settled_projects"].sum(), lang),
                  leads=i18n.fmt_int(figures["new_valid_leads"].sum(), lang))
    rules = str(rules_version) if rules_version else i18n.t("scoreboard.about.default", lang)
    made = i18n.fmt_datetime(made_at, lang)
    marks = i18n.t("scoreboard.pdf.confidential", lang) + (" · " + i18n.t("scoreboard.pdf.sample", lang) if sample else "")
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=i18n.t("scoreboard.pdf.title", lang), author=i18n.t("scoreboard.pdf.title", lang))
    story = [
        Paragraph(i18n.t("scoreboard.pdf.title", lang), title),
        Paragraph(i18n.t("scoreboard.pdf.period", lang, period=now.period.label(lang)), body),
        Paragraph(i18n.t("scoreboard.pdf.made", lang, at=made, rules=rules) + " · " + marks, body),
        Spacer(1, 3 * mm), grid, Spacer(1, 4 * mm),
        Paragraph(i18n.t("scoreboard.chart", lang), body), Spacer(1, 1 * mm),
        _bars(now, names, font, width, 5 * mm if n <= 16 else 3.5 * mm if n <= 28 else 2.5 * mm),
        Spacer(1, 3 * mm), Paragraph(city, body),
    ]
    doc.build(story)
    return out.getvalue()
