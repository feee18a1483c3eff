"""Every model of Agora's apps has a page in the admin site."""

from django.apps import apps
from django.contrib import admin
from django.urls import reverse

APPS = ["community", "courses", "events", "gamification", "messaging", "payments"]

NOT_REGISTERED = {
    # Delivery keys that stop a signal delivered twice from notifying twice: nothing a
    # person reads or acts on (messaging/admin.py).
    "messaging.DeliveredCause",
}


def test_every_model_of_every_app_is_registered():
    models = [model for label in APPS for model in apps.get_app_config(label).get_models()]
    missing = [
        model._meta.label
        for model in models
        if model not in admin.site._registry and model._meta.label not in NOT_REGISTERED
    ]
    assert missing == []
    assert all(apps.get_model(label) not in admin.site._registry for label in NOT_REGISTERED)


def test_plural_names_read_as_english(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Lesson progress<" in page and "Lesson progresss" not in page
    assert "Reminders sent" in page and "Reminder sents" not in page
