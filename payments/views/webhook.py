from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import stripe_api, webhooks


@csrf_exempt  # Stripe signs the body instead; there is no session or form here.
@require_POST
def stripe_webhook(request):
    """Verifies, stores and acknowledges a Stripe event; a task processes it."""
    if not stripe_api.is_configured():
        return JsonResponse({"error": "Payments are not configured on this site."}, status=503)
    try:
        event, created = webhooks.receive(request.body, request.headers.get("Stripe-Signature"))
    except webhooks.InvalidWebhook as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"received": event.stripe_id, "duplicate": not created})
