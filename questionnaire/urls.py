from django.urls import path

from questionnaire.filling.views import carried, overview, section, submit, threads
from questionnaire.pdf import downloads
from questionnaire.review import list_views, question_views, reminder_views
from questionnaire.review import views as staff_views

app_name = "questionnaire"

urlpatterns = [
    path("", overview.home, name="home"),
    path("section/<slug:code>/", section.section_step, name="section"),
    path("section/<slug:code>/autosave", section.section_autosave, name="autosave"),
    # Issue 15: a new edition started from the previous one's answers, and their confirmation.
    path("start", carried.start, name="start"),
    path("section/<slug:code>/confirm", carried.confirm, name="carried_confirm"),
    path("review/", submit.review, name="review"),
    path("review/submit", submit.submit, name="submit"),
    path("submission/", submit.submission_view, name="submission"),
    # A reviewers' comment thread of the official's country, and the official's reply to it.
    path("threads/<int:thread_id>/", threads.thread_view, name="thread"),
    path("submission/pdf-status", submit.submission_pdf_status, name="submission_pdf_status"),
    # The country's answers to a closed or archived edition, read-only ("Past editions").
    path(
        "past/<slug:edition_code>/",
        submit.past_submission_view,
        name="past_submission",
    ),
    # The submitted PDF (officials of the country and reviewers) and the officials' draft preview.
    path(
        "submissions/<int:submission_id>/pdf",
        downloads.submission_pdf_download,
        name="submission_pdf",
    ),
    # A submitted version in another offered language (reviewers' English copy), on demand.
    path(
        "submissions/<int:submission_id>/pdf/<str:language>",
        downloads.submission_pdf_in_language,
        name="submission_pdf_in_language",
    ),
    path(
        "submissions/<int:submission_id>/preview.pdf",
        downloads.submission_pdf_preview,
        name="submission_pdf_preview",
    ),
    # Reviewers (DPIDG staff) only: every Member State's submission, response rates, exports.
    path("staff/submissions/", list_views.member_states, name="staff_submissions"),
    path("staff/dashboard/", staff_views.dashboard, name="staff_dashboard"),
    path("staff/reminders/", reminder_views.reminders_confirm, name="staff_reminders"),
    path("staff/invitations/", reminder_views.invitations_paste, name="staff_invitations"),
    path("staff/exports/", staff_views.export_jobs, name="staff_exports"),
    path("staff/exports/<int:job_id>/", staff_views.export_job, name="staff_export"),
    path(
        "staff/exports/<int:job_id>/status",
        staff_views.export_job_status,
        name="staff_export_status",
    ),
    path(
        "staff/exports/<int:job_id>/download",
        staff_views.export_job_download,
        name="staff_export_download",
    ),
]

# Reviewers only: one question of the edition across every Member State, and its downloads.
urlpatterns += [
    path("staff/questions/", question_views.question_index, name="staff_questions"),
    path(
        "staff/questions/<slug:code>/",
        question_views.question_across_view,
        name="staff_question_across",
    ),
    path(
        "staff/questions/<slug:code>/download.<slug:file_format>",
        question_views.question_across_download,
        name="staff_question_across_download",
    ),
]
