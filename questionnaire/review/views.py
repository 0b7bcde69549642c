"""Reviewers' pages outside the model admin: response rates and full export jobs.

They use the admin's look (admin/base_site.html with the admin site's
context) and are refused to anyone who is not a reviewer.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import staff_required
from accounts.selectors import countries_without_officials
from questionnaire.exports.jobs import RUN_EXPORT_TASK, ExportRequestError, export_job_create
from questionnaire.exports.registry import EXPORTERS, exporter_choices
from questionnaire.models import Edition, ExportJob, Submission
from questionnaire.queueing import pending_task_is_waiting
from questionnaire.review.charts import (
    CHART_BAR_HEIGHT,
    CHART_BAR_WIDTH,
    CHART_LABEL_WIDTH,
    CHART_ROW_HEIGHT,
)
from questionnaire.review.reminder_selectors import reminders_latest
from questionnaire.review.selectors import (
    RATE_KEYS,
    countries_not_submitted,
    rate_label,
    response_rates,
)


def _admin_context(request, title: str) -> dict:
    return {**admin.site.each_context(request), "title": title}


def _edition_from(request) -> Edition | None:
    editions = Edition.objects.all()
    code = request.GET.get("edition")
    if code:
        edition = editions.filter(code=code).first()
        if edition is None:
            raise Http404
        return edition
    # The edition officials answer now, not the newest loaded (an example or a planned one).
    return editions.filter(code=settings.MSQ_CURRENT_EDITION).first() or editions.first()


def _chart(rows) -> dict:
    """Stacked horizontal bars (one per region and the world), as SVG geometry."""
    bars = []
    for index, row in enumerate(rows):
        x = CHART_LABEL_WIDTH
        segments = []
        for key, count in zip(RATE_KEYS, row.cells, strict=True):
            width = CHART_BAR_WIDTH * count / row.total if row.total else 0
            if count:
                segments.append(
                    {
                        "key": key,
                        "label": rate_label(key),
                        "count": count,
                        "x": round(x, 2),
                        "width": round(width, 2),
                    }
                )
            x += width
        bars.append(
            {
                "label": row.label or _("All Member States"),
                "total": row.total,
                "answered_percent": row.answered_percent,
                "y": index * CHART_ROW_HEIGHT,
                "text_y": index * CHART_ROW_HEIGHT + CHART_BAR_HEIGHT - 4,
                "segments": segments,
            }
        )
    return {
        "bars": bars,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 60,
        "height": len(bars) * CHART_ROW_HEIGHT,
        "bar_height": CHART_BAR_HEIGHT,
        "total_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 6,
        "legend": [(key, rate_label(key)) for key in RATE_KEYS],
    }


@require_GET
@staff_required
def dashboard(request):
    """Response rates per UN region and sub-region, and who has not submitted yet."""
    edition = _edition_from(request)
    rows = response_rates(edition=edition) if edition else []
    region_rows = [row for row in rows if row.level in {"world", "region"}]
    regions = [row.label for row in rows if row.level == "region"]
    region = request.GET.get("region", "")
    if region and region not in regions:
        region = ""
    context = {
        **_admin_context(request, _("Response rates")),
        "subtitle": edition.title if edition else "",
        "edition": edition,
        "editions": Edition.objects.all(),
        "rows": rows,
        "columns": [rate_label(key) for key in RATE_KEYS],
        "chart": _chart(region_rows),
        "regions": regions,
        "region": region,
    }
    waiting = countries_not_submitted(edition=edition, region=region) if edition else []
    latest = (
        reminders_latest(edition=edition, country_ids=[item.country.id for item in waiting])
        if edition
        else {}
    )
    context |= {
        "waiting": waiting,
        "waiting_rows": [(item, latest.get(item.country.id)) for item in waiting],
        "remindable_count": sum(1 for item in waiting if item.emails),
        "without_officials": countries_without_officials(region=region),
    }
    return render(request, "questionnaire/staff/dashboard.html", context)


class ExportRequestForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Edition"), queryset=Edition.objects.all(), empty_label=None
    )
    exporter = forms.ChoiceField(label=_("Format"), choices=exporter_choices)
    statuses = forms.MultipleChoiceField(
        label=_("Submissions"),
        choices=Submission.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[Submission.Status.SUBMITTED, Submission.Status.ACCEPTED],
        help_text=_("Leave every box empty to export every submission, drafts included."),
    )


@require_http_methods(["GET", "POST"])
@staff_required
def export_jobs(request):
    """The latest export jobs, and the form that requests a new one."""
    form = ExportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                job = export_job_create(
                    edition=form.cleaned_data["edition"],
                    exporter=form.cleaned_data["exporter"],
                    statuses=form.cleaned_data["statuses"],
                    user=request.user,
                )
        except ExportRequestError as error:
            form.add_error(None, str(error))
        else:
            return redirect("questionnaire:staff_export", job_id=job.pk)
    jobs = ExportJob.objects.select_related("edition", "created_by")[:50]
    context = {
        **_admin_context(request, _("Full exports")),
        "form": form,
        "jobs": jobs,
        "retention_days": settings.MSQ_EXPORT_RETENTION_DAYS,
        "formats": {
            identifier: exporter.verbose_name for identifier, exporter in EXPORTERS.items()
        },
    }
    return render(
        request,
        "questionnaire/staff/export_jobs.html",
        context,
        status=400 if form.errors else 200,
    )


def _job_title(job: ExportJob) -> str:
    return _("Export job %(id)d") % {"id": job.pk}


def _job_notice(job: ExportJob) -> str:
    """What the reviewer should know about a job that is late: a worker lost, or no broker."""
    if job.is_finished:
        return ""
    if job.status == ExportJob.Status.QUEUED and pending_task_is_waiting(
        RUN_EXPORT_TASK, job_id=job.pk
    ):
        return str(
            _(
                "Queued: the worker system is not answering at the moment. The export will"
                " start by itself when it is back; there is no need to request it again."
            )
        )
    if job.worker_lost_at is None:
        return ""
    lost_at = date_format(localtime(job.worker_lost_at), "DATETIME_FORMAT")
    if job.status == ExportJob.Status.RUNNING:
        return str(
            _("The worker running this export stopped at %(lost)s; restarted at %(started)s.")
            % {"lost": lost_at, "started": date_format(localtime(job.started_at), "TIME_FORMAT")}
        )
    return str(
        _("The worker running this export stopped at %(lost)s; it will restart from the beginning.")
        % {"lost": lost_at}
    )


def _job_status(job: ExportJob) -> dict:
    return {
        "notice": _job_notice(job),
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "percent": job.percent,
        "done": job.progress_done,
        "total": job.progress_total,
        "finished": job.is_finished,
        "error": job.error,
        "download_url": (
            reverse("questionnaire:staff_export_download", args=[job.pk])
            if job.status == ExportJob.Status.DONE
            else ""
        ),
    }


@require_GET
@staff_required
def export_job(request, job_id: int):
    """One job: its progress (kept up to date by static/js/admin-export-progress.js), its file."""
    job = get_object_or_404(ExportJob.objects.select_related("edition", "created_by"), pk=job_id)
    context = {
        **_admin_context(request, _job_title(job)),
        "job": job,
        "format_name": getattr(EXPORTERS.get(job.exporter), "verbose_name", job.exporter),
        "job_status": _job_status(job),
    }
    return render(request, "questionnaire/staff/export_job.html", context)


@require_GET
@staff_required
def export_job_status(request, job_id: int):
    job = get_object_or_404(ExportJob, pk=job_id)
    return JsonResponse(_job_status(job))


@require_GET
@staff_required
def export_job_download(request, job_id: int):
    """The job's file; 410 with an explanation once it has expired, 404 while it is not ready."""
    job = get_object_or_404(
        ExportJob.objects.select_related("edition"),
        pk=job_id,
        status__in=[ExportJob.Status.DONE, ExportJob.Status.EXPIRED],
    )
    if job.status == ExportJob.Status.EXPIRED:
        # Gone on purpose, unlike a file missing by accident (404 below): say so, and what to do.
        context = {
            **_admin_context(request, _("Export file deleted")),
            "job": job,
            "job_title": _job_title(job),
        }
        return render(request, "questionnaire/staff/export_expired.html", context, status=410)
    if not job.file:
        raise Http404
    exporter = EXPORTERS.get(job.exporter)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
        content_type=getattr(exporter, "content_type", "application/octet-stream"),
    )
