"""Settings for MSQ Portal, read from the environment.

With no environment at all the portal runs on its embedded default: a SQLite
file beside manage.py, Celery tasks executed in-process, e-mail printed to the
console. Setting DATABASE_URL and CELERY_BROKER_URL (or REDIS_URL) moves it to
PostgreSQL and Redis with separate worker processes. DJANGO_ENV=production
turns on every protection that `manage.py check --deploy` asks for and refuses
to start without a real secret key and allowed hosts.
"""

# One module per concern; each imports what it reads from another by name (tasks and
# portal read base's `env`), so the order below does not matter.
from msq_portal.settings.base import *  # noqa: F403
from msq_portal.settings.portal import *  # noqa: F403
from msq_portal.settings.security import *  # noqa: F403
from msq_portal.settings.tasks import *  # noqa: F403
