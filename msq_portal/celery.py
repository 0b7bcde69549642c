"""The Celery application. Its settings are the CELERY_* names in msq_portal/settings/tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msq_portal.settings")

app = Celery("msq_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
