from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnaireConfig(AppConfig):
    name = "questionnaire"
    verbose_name = _("Questionnaire")

    def ready(self):
        from accounts.signals import focal_point_changed
        from questionnaire import tasks  # noqa: F401  (see below)
        from questionnaire.receivers import focal_point_change_record

        # Importing `tasks` registers the tasks by name: the services queue them through
        # questionnaire.queueing and never import the tasks module, which imports them.
        # A focal-point handover is recorded on the country's submission (accounts
        # announces it; it does not import the questionnaire).
        focal_point_changed.connect(
            focal_point_change_record, dispatch_uid="questionnaire.focal_point_changed"
        )
        # The per-process copy of each edition's structure (questionnaire.structure) is
        # emptied when this process writes a section, a question or an edition; other
        # processes see the change through Edition.loaded_at.
        from django.db.models.signals import post_delete, post_save

        from questionnaire.models import Edition, Question, Section
        from questionnaire.structure import edition_structures_forget

        for model in (Edition, Section, Question):
            for signal in (post_save, post_delete):
                signal.connect(
                    edition_structures_forget,
                    sender=model,
                    dispatch_uid=f"questionnaire.structure.{model.__name__}.{signal is post_save}",
                )
