from django.urls import path

from .views import webhook

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", webhook.stripe_webhook, name="stripe-webhook"),
    # member pages
    # admin pages
]
