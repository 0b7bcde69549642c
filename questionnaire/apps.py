from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnaireConfig(AppConfig):
    name = "questionnaire"
    verbose_name = _("Questionnaire")

    def ready(self):
        # Registers the tasks by name: the services queue them through questionnaire.queueing
        # and never import the tasks module, which imports them.
        from questionnaire import tasks  # noqa: F401
