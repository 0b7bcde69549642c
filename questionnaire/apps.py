from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnaireConfig(AppConfig):
    name = "questionnaire"
    verbose_name = _("Questionnaire")

    def ready(self):
        # Registers the tasks by name: the services queue them through questionnaire.queueing
        # and never import the tasks module, which imports them.
        from accounts.signals import focal_point_changed
        from questionnaire import tasks  # noqa: F401
        from questionnaire.receivers import focal_point_change_record

        focal_point_changed.connect(
            focal_point_change_record, dispatch_uid="questionnaire.focal_point_changed"
        )
