from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What a check writes (the rest of a LinkCheck names the URL).
RESULT_FIELDS = [
    "state",
    "final_url",
    "status_code",
    "redirect_chain",
    "tls_problem",
    "response_ms",
    "error",
    "checked_at",
]


class LinkCheck(models.Model):
    """The last check of one distinct URL, shared by every submission that lists it.

    `url` is the normalised address (scheme-less addresses keep "*://" and are tried
    with https, then http); `url_key` its SHA-256, unique, so that a 2,000-character
    URL still has an index. `checked_at` empty means not checked yet.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("not checked yet")
        REACHABLE = "reachable", _("reachable")
        REDIRECTS = "redirects", _("redirects")
        NOT_FOUND = "not_found", _("not found")
        DID_NOT_ANSWER = "did_not_answer", _("did not answer")
        CERTIFICATE_PROBLEM = "certificate_problem", _("certificate problem")
        NOT_CHECKED = "not_checked", _("not checked")

    # What a reviewer calls a broken link: the official is asked to confirm these.
    BROKEN_STATES = (State.NOT_FOUND, State.DID_NOT_ANSWER, State.CERTIFICATE_PROBLEM)

    url = models.TextField(_("URL"))
    url_key = models.CharField(_("URL key"), max_length=64, unique=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    final_url = models.TextField(_("final URL"), blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    redirect_chain = models.JSONField(_("redirect chain"), default=list, blank=True)
    tls_problem = models.TextField(_("certificate problem"), blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["url"]
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")

    def __str__(self) -> str:
        return f"{self.url} · {self.get_state_display()}"

    @property
    def is_broken(self) -> bool:
        return self.state in self.BROKEN_STATES


class SubmissionLink(models.Model):
    """One distinct URL listed in a submission's answers, with the official's confirmation.

    Kept in step with the answers by linkcheck.services.submission_links_sync.
    """

    submission = models.ForeignKey(
        "questionnaire.Submission", on_delete=models.CASCADE, related_name="links"
    )
    link_check = models.ForeignKey(LinkCheck, on_delete=models.CASCADE, related_name="uses")
    url = models.TextField(_("URL as typed"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed correct at"), null=True, blank=True)

    class Meta:
        ordering = ["submission", "id"]
        verbose_name = _("link of a submission")
        verbose_name_plural = _("links of submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "link_check"], name="one_link_row_per_url"
            ),
        ]

    def __str__(self) -> str:
        return self.url
