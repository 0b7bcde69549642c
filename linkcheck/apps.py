from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkcheckConfig(AppConfig):
    name = "linkcheck"
    verbose_name = _("Link checks")

    def ready(self):
        # Registers the tasks by name: the services send them through questionnaire.queueing.
        from linkcheck import tasks  # noqa: F401
