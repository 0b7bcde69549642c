from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Country
from questionnaire.editions.states import EditionAction, EditionState
from questionnaire.workflow import Action, Status, action_allowed


class Edition(models.Model):
    """One edition of the questionnaire (msq-2020), loaded from questionnaire/editions/.

    Its state (planned, open, closed, archived) changes only through
    questionnaire.editions.lifecycle; at most one edition is open at a time.
    """

    # The states and which action leads from which are questionnaire.editions.states'.
    State = EditionState

    code = models.SlugField(_("code"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("survey year"))
    title = models.CharField(_("title"), max_length=300)
    introduction = models.TextField(_("introduction"), blank=True)
    footnotes = models.JSONField(_("footnotes"), default=list, blank=True)
    consent_text = models.TextField(_("publication consent wording"))
    closing_text = models.TextField(_("closing text"), blank=True)
    # The other UN languages' wording, {language: {key: text}}; English stays in the
    # columns above (questionnaire.editions.wording).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    # A loaded edition is planned: officials answer it once a reviewer opens it.
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=EditionState.choices,
        default=EditionState.PLANNED,
        help_text=_("Officials fill in only the open edition; a closed one is read-only."),
    )
    # When officials are asked to start and to have submitted (shown in their own time zone).
    # Submitting stays possible after the deadline, marked late, until the edition is closed.
    opens_on = models.DateTimeField(_("opens on"), null=True, blank=True)
    deadline = models.DateTimeField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Shown to officials with the days left. After it, they can still submit until"
            " the edition is closed."
        ),
    )
    # DPIDG's choice per edition, beside the deadline it counts from: blank sends no
    # automatic reminder (questionnaire.review.reminders.reminders_automatic).
    reminder_days_before_deadline = models.PositiveSmallIntegerField(
        _("automatic reminder, days before the deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Countries that have not submitted are reminded by e-mail this many days before"
            " the deadline. Leave empty to send no automatic reminder."
        ),
    )
    # Whether answers carried over from the previous edition must each be confirmed (or
    # changed) before the country may submit (questionnaire.carried; issue 15).
    carried_over_must_be_confirmed = models.BooleanField(
        _("carried-over answers must be confirmed"),
        default=True,
        help_text=_(
            "Officials must confirm or change every answer carried over from the previous"
            " edition before they can submit."
        ),
    )
    source_file = models.CharField(_("source file"), max_length=300)
    source_sha256 = models.CharField(_("source file SHA-256"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            # Officials land on the open edition: there is never more than one.
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state=EditionState.OPEN),
                name="one_open_edition",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Whether officials may fill it in (the API's `is_open`, kept for its clients)."""
        return self.state == EditionState.OPEN


class EditionEvent(models.Model):
    """Append-only record of an edition's lifecycle: who opened, closed, reopened, archived or
    unarchived it, when, from which state to which, and how many drafts were open at a close."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(
        _("action"),
        max_length=10,
        choices=EditionAction.choices,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.CharField(_("state before"), max_length=10, choices=EditionState.choices)
    after = models.CharField(_("state after"), max_length=10, choices=EditionState.choices)
    # The drafts kept open (never deleted) when the edition was closed.
    drafts = models.PositiveIntegerField(_("drafts open"), default=0)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("edition event")
        verbose_name_plural = _("edition events")

    def __str__(self) -> str:
        return f"{self.edition.code}: {self.before} → {self.after}"


class Section(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(_("code"), max_length=60)
    numeral = models.CharField(_("numeral"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    footnotes = models.JSONField(_("footnotes"), default=list, blank=True)
    # The other UN languages' wording, {language: {key: text}}; English stays in the
    # columns above (questionnaire.editions.wording).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["edition", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="section_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.numeral}. {self.title}"


class Question(models.Model):
    """One answerable question (or sub-part such as q2a), defined by the edition file.

    `parts` lists what the answer is made of, each with a kind from
    questionnaire.kinds (q6 is a yes_no, a text and links); `kind` repeats the
    first part's kind for filtering. `show_if` hides the whole question unless
    another question's part has a given value.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=30)
    number = models.CharField(_("printed number"), max_length=20, blank=True)
    group_number = models.CharField(_("group number"), max_length=20, blank=True)
    group_text = models.TextField(_("group text"), blank=True)
    lead_in = models.TextField(_("lead-in"), blank=True)
    text = models.TextField(_("text"), blank=True)
    kind = models.CharField(_("kind"), max_length=30)
    parts = models.JSONField(_("parts"), default=list)
    footnotes = models.JSONField(_("footnotes"), default=list, blank=True)
    show_if = models.JSONField(_("shown if"), null=True, blank=True)
    required = models.BooleanField(_("required at submission"), default=True)
    # The other UN languages' wording, {language: {key: text}}; English stays in the
    # columns above (questionnaire.editions.wording).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    # The question(s) of an earlier edition this one continues and how their answers map
    # into its parts (questionnaire.editions.lineage); {} for a question new in its edition.
    # Written by the loader only; not editable, so not on the admin's pages yet.
    lineage = models.JSONField(default=dict, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["edition", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="question_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_number}".strip()

    @property
    def display_number(self) -> str:
        """The number as printed: "2. a." for a part of a group, "1." otherwise."""
        return " ".join(part for part in (self.group_number, self.number) if part)


class Submission(models.Model):
    """A country's answers to one edition: one row per (edition, country)."""

    # The statuses and their transitions are questionnaire.workflow's.
    Status = Status

    class Consent(models.TextChoices):
        UNANSWERED = "", _("Not yet chosen")
        GRANTED = "granted", _("Authorized to publish")
        REFUSED = "refused", _("Not authorized to publish")

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="submissions")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Bumped by every write; a save based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)

    consent = models.CharField(
        _("publication consent"), max_length=10, choices=Consent.choices, blank=True
    )
    consent_text = models.TextField(_("consent wording shown"), blank=True)
    consent_language = models.CharField(
        _("language of the consent wording"), max_length=10, blank=True
    )
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent given by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The interface language of the official who submitted (a code of settings.LANGUAGES):
    # the submitted PDF is rendered in it, and reviewers and exports show it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The version that was submitted last; the PDF is rendered for it.
    submitted_version = models.PositiveIntegerField(_("submitted version"), null=True, blank=True)
    # Which submission that was, as officials count them (1 for the first, 2 after a return):
    # what the PDF and the pages name, `version` being an internal save counter.
    submission_number = models.PositiveSmallIntegerField(
        _("submission number"), null=True, blank=True
    )

    pdf = models.FileField(_("PDF"), upload_to="submissions/pdf/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    pdf_version = models.PositiveIntegerField(_("PDF of version"), null=True, blank=True)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)
    pdf_error = models.TextField(_("PDF rendering error"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    class Meta:
        ordering = ["country__name"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "country"], name="one_submission_per_country"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} — {self.edition.code}"

    @property
    def is_editable_by_country(self) -> bool:
        """Whether the country may still change it (questionnaire.workflow's EDIT)."""
        return action_allowed(self, Action.EDIT)

    @property
    def has_current_pdf(self) -> bool:
        """Whether the PDF on file is that of the last submission (not an earlier one's)."""
        return bool(
            self.pdf.name and self.pdf_version and self.pdf_version == self.submitted_version
        )


class Answer(models.Model):
    """The value of one question for one submission, shaped by the question's parts."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("value"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    # Set when the draft was prefilled with this answer from the country's answer to an
    # earlier edition (questionnaire.filling.carrying); confirmed by one click or by a change.
    carried_from_edition = models.ForeignKey(
        Edition,
        verbose_name=_("carried over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    carried_confirmed_at = models.DateTimeField(
        _("carried over, confirmed at"), null=True, blank=True
    )
    carried_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("carried over, confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["question__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.question.code}"


class SubmissionEvent(models.Model):
    """Append-only audit trail of a submission: who did what, when, before and after."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft started")
        ANSWERS_SAVED = "answers_saved", _("Answers saved")
        CONSENT_CHANGED = "consent_changed", _("Publication consent changed")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")
        REOPENED = "reopened", _("Reopened")
        COMMENTED = "commented", _("Reviewer comment")
        PDF_RENDERED = "pdf_rendered", _("PDF rendered")
        PDF_FAILED = "pdf_failed", _("PDF rendering failed")
        FOCAL_POINT_CHANGED = "focal_point_changed", _("Focal point changed")
        CONFIRMATION_SENT = "confirmation_sent", _("Submission confirmation e-mailed")
        # Two-way comments (questionnaire.review.comments): neither bumps the version.
        REPLIED = "replied", _("Comment answered")
        THREAD_RESOLVED = "thread_resolved", _("Comment thread resolved")
        THREAD_REOPENED = "thread_reopened", _("Comment thread reopened")
        # Edition cycles (questionnaire.filling.carrying and .confirming).
        PREFILLED = "prefilled", _("Prefilled from the previous edition")
        CARRIED_CONFIRMED = "carried_confirmed", _("Carried-over answer confirmed")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version after"))
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.submission}"


class ReviewComment(models.Model):
    """A reviewer's remark on a submission or one of its questions, or a reply in its thread.

    A thread is a reviewer's comment (`parent` empty) and its replies, written by
    reviewers or by the country's officials. The country sees a thread once it is
    shared with it (`shared_at`: when the submission was returned with it, or when
    it was written while returned); until then it is the reviewers' draft. Only the
    thread's first comment carries `shared_at` and `resolved_at`.
    """

    class Side(models.TextChoices):
        REVIEWER = "reviewer", _("Reviewer")
        COUNTRY = "country", _("Country official")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="review_comments"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Kept apart from the author, who may be deleted: which side of the review wrote it.
    author_side = models.CharField(
        _("written by"), max_length=10, choices=Side.choices, default=Side.REVIEWER
    )
    text = models.TextField(_("comment"))
    # The submission's version the comment was written on.
    version = models.PositiveIntegerField(_("on version"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    shared_at = models.DateTimeField(_("shown to the country since"), null=True, blank=True)
    # When the other side was e-mailed this reply, or the officials this comment written
    # while their answers were already returned (review.comments): the record that each
    # is sent once.
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        target = self.question.code if self.question_id else _("whole submission")
        return f"{self.submission} · {target}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ExportJob(models.Model):
    """A full export run by a Celery worker: its progress, its file or its error.

    `exporter` is an identifier from questionnaire.exports.registry.EXPORTERS; `statuses`
    lists the submission statuses included (empty: every submission).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        # Done, and its file deleted after MSQ_EXPORT_RETENTION_DAYS; the row stays as the record.
        EXPIRED = "expired", _("Expired")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="export_jobs"
    )
    exporter = models.CharField(_("format"), max_length=30)
    statuses = models.JSONField(_("submission statuses"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("submissions done"), default=0)
    progress_total = models.PositiveIntegerField(_("submissions in total"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The lease of the worker running it: written as the export progresses. A running
    # job without a heartbeat for MSQ_EXPORT_LEASE_SECONDS lost its worker; beat's
    # sweeper queues it again (export_jobs_recover) up to MSQ_EXPORT_MAX_ATTEMPTS.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # How many runs were started; each run claims the job under its number.
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    # When the sweeper last found its worker gone and queued it again.
    worker_lost_at = models.DateTimeField(_("worker lost at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.exporter} · {self.edition.code} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status in {self.Status.DONE, self.Status.EXPIRED}:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def is_finished(self) -> bool:
        # Expired counts as finished: a late redelivery of its task must not run it again.
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED}


class PendingTask(models.Model):
    """A Celery task to queue, written in the same transaction as the action that wants it.

    The outbox that makes queued side effects survive a broker outage
    (questionnaire.queueing): the row commits with the export request or the
    review decision; it is marked sent once the broker took the message, and
    beat's sweeper sends the rows left unsent (broker down or hung at the time).
    """

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts to send"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")

    def __str__(self) -> str:
        return f"{self.task} {self.kwargs}"


class Reminder(models.Model):
    """One reminder e-mail to a country's officials about an edition's deadline.

    The row is written when the reminder is requested (by a reviewer, or by beat's daily
    run for the automatic one) and completed by the worker that sends it
    (questionnaire.review.reminders): `sent_at` and the addresses it went to.
    """

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Sent by a reviewer")
        AUTOMATIC = "automatic", _("Automatic, before the deadline")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="reminders"
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["edition", "country", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.country} {self.edition.code} {self.requested_at:%Y-%m-%d}"
