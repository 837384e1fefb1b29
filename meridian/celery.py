"""The Celery app. `meridian worker` runs it against CELERY_BROKER_URL.

Without a broker, settings make every task run inline (eagerly) in the calling process. That holds in a
process only once this module is imported there (a `shared_task` otherwise finds Celery's default app,
which knows nothing of the settings): `meridian/__init__.py` should import `app`.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meridian.settings")

app = Celery("meridian")
# CELERY_* settings: CELERY_BROKER_URL, CELERY_TASK_ALWAYS_EAGER, CELERY_TASK_EAGER_PROPAGATES, ...
app.config_from_object("django.conf:settings", namespace="CELERY")
# Finds each installed app's tasks.py.
app.autodiscover_tasks()
