"""Reviewers' pages for reading one question across countries, and their downloads.

Like the dashboard (questionnaire/review/views.py), they use the admin's look and
are refused to anyone who is not a reviewer.
"""

from __future__ import annotations

import csv
import io

from django.contrib import admin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from accounts.access import staff_required
from questionnaire.exports.sheets import neutralise, xlsx_cell
from questionnaire.review.charts import (
    CHART_BAR_HEIGHT,
    CHART_BAR_WIDTH,
    CHART_LABEL_WIDTH,
    CHART_ROW_HEIGHT,
)
from questionnaire.review.question_across import (
    AcrossFilters,
    ChoiceCounts,
    edition_for_review,
    question_across,
    question_across_sheet,
    question_for_review,
)
from questionnaire.selectors import edition_layout

DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filters(request) -> AcrossFilters:
    return AcrossFilters(
        region=request.GET.get("region", ""),
        subregion=request.GET.get("subregion", ""),
        status=request.GET.get("status", ""),
    )


def _chart(counts: ChoiceCounts) -> dict:
    """One horizontal bar per choice, its length the share of the countries that answered."""
    bars = []
    for index, choice in enumerate(counts.counts):
        width = CHART_BAR_WIDTH * choice.count / counts.answered if counts.answered else 0
        bars.append(
            {
                "choice": choice,
                "y": index * CHART_ROW_HEIGHT,
                "text_y": index * CHART_ROW_HEIGHT + CHART_BAR_HEIGHT - 4,
                "width": round(width, 2),
            }
        )
    return {
        "counts": counts,
        "bars": bars,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 90,
        "height": max(len(bars), 1) * CHART_ROW_HEIGHT,
        "bar_x": CHART_LABEL_WIDTH,
        "bar_height": CHART_BAR_HEIGHT,
        "total_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 6,
    }


@require_GET
@staff_required
def question_index(request):
    """The edition's questions by section, each linking to its across-countries view."""
    edition = edition_for_review(code=request.GET.get("edition", ""))
    context = {
        **admin.site.each_context(request),
        "title": _("Questions across countries"),
        "subtitle": edition.title,
        "edition": edition,
        "layout": edition_layout(edition=edition),
    }
    return render(request, "questionnaire/staff/question_index.html", context)


@require_GET
@staff_required
def question_across_view(request, code: str):
    """Every Member State's answer to one question, filterable, with counts per choice."""
    edition = edition_for_review(code=request.GET.get("edition", ""))
    question = question_for_review(edition=edition, code=code)
    across = question_across(edition=edition, question=question, filters=_filters(request))
    query = request.GET.copy()
    context = {
        **admin.site.each_context(request),
        "title": _("Question %(code)s across countries") % {"code": question.code},
        "across": across,
        "edition": edition,
        "question": question,
        "charts": [_chart(counts) for counts in across.choice_counts],
        "query": query.urlencode(),
    }
    return render(request, "questionnaire/staff/question_across.html", context)


@require_GET
@staff_required
def question_across_download(request, code: str, file_format: str):
    """The view as shown (same filters) in CSV or XLSX; typed text never runs as a formula."""
    if file_format not in DOWNLOADS:
        raise Http404
    edition = edition_for_review(code=request.GET.get("edition", ""))
    question = question_for_review(edition=edition, code=code)
    across = question_across(edition=edition, question=question, filters=_filters(request))
    header, rows = question_across_sheet(across=across)
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([neutralise(value) for value in row] for row in rows)
        # utf-8-sig: Excel then reads Cyrillic, Arabic and Chinese correctly.
        content = buffer.getvalue().encode("utf-8-sig")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=question.code)
        for row in [header, *rows]:
            sheet.append([xlsx_cell(sheet, value) for value in row])
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()
    response = HttpResponse(content, content_type=DOWNLOADS[file_format])
    filename = f"{edition.code}-{question.code}-across-countries.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
