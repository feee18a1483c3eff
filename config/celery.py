import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("agora")
# The default app in every thread, so `celery.current_app` is this one wherever the apps ask
# for it (community/health.py does, since no app imports config).
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
