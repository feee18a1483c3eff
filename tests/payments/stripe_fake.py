"""Stripe at its HTTP boundary, for tests: Stripe's own objects, real signatures.

`stripe_fixtures/` is a copy of ../shared/stripe-fixtures (Stripe's example objects, two
members' webhook timelines, signature vectors; its README says where each came from).

`FakeStripeHTTP` is a `stripe.HTTPClient`: payments.stripe_api hands it to the real
`stripe.StripeClient`, so everything above the HTTP call (parameter encoding, the API
version header, response parsing, errors) runs as in production. It answers each request
with the fixture object of that type (ids and the fields the request set changed), and
records every request so a test asserts what would have been sent.
"""

import copy
import itertools
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe

FIXTURES = Path(__file__).parent / "stripe_fixtures"
EVENTS = FIXTURES / "derived" / "events"
WEBHOOK_SECRET = "whsec_test_agora_FAKE_secret_for_fixtures_only"
SECRET_KEY = "sk_test_agora_FAKE_key_for_tests_only"

MEMBER_A_CUSTOMER = "cus_QXg1o8vcGmoR32"
MEMBER_A_SUBSCRIPTION = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"
MEMBER_A_REFERENCE = 42  # client_reference_id of the timeline's Checkout Session
PRICE_ID = "price_1PgafmB7WZ01zgkW6dKueIc5"


def stripe_object(name):
    """A fixture object: `derived/objects/<name>.json`, else `stripe-openapi/<name>.json`."""
    for folder in ("derived/objects", "stripe-openapi"):
        path = FIXTURES / folder / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text())
    raise FileNotFoundError(name)


def manifest():
    return json.loads((EVENTS / "MANIFEST.json").read_text())["events"]


def event_body(file_name):
    """The exact bytes of a timeline event: the body Stripe would POST."""
    return (EVENTS / file_name).read_bytes()


def timeline_bodies():
    return [event_body(entry["file"]) for entry in manifest()]


def make_event(event_type, obj, *, created=None, event_id=None, previous_attributes=None):
    """A new event envelope around `obj` (for states the timelines do not cover), shaped like
    the timeline's events. Returns the body bytes."""
    envelope = json.loads(event_body("01.customer.subscription.created.json"))
    envelope.update(
        id=event_id or f"evt_test_{next(_ids)}",
        type=event_type,
        created=int(created if created is not None else time.time()),
        data={
            "object": obj,
            **({"previous_attributes": previous_attributes} if previous_attributes else {}),
        },
    )
    return json.dumps(envelope, separators=(",", ":")).encode()


_ids = itertools.count(1)


def signature(body, *, secret=WEBHOOK_SECRET, timestamp=None):
    return stripe.WebhookSignature.generate_signature_header(
        body.decode() if isinstance(body, bytes) else body, secret, timestamp=timestamp
    )


def post_webhook(client, body, *, secret=WEBHOOK_SECRET, timestamp=None, header=None):
    """POSTs `body` to the webhook endpoint as Stripe does: raw bytes, signed."""
    return client.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header
        if header is not None
        else signature(body, secret=secret, timestamp=timestamp),
    )


class FakeStripeHTTP(stripe.HTTPClient):
    """Answers api.stripe.com requests from the fixtures and records them."""

    name = "agora-fake-stripe"

    def __init__(self):
        super().__init__()
        self.requests = []  # (method, path, params)
        self.subscriptions = {}  # id -> object, for GET /v1/subscriptions/<id>
        self.fail_with = None  # (status, error dict): the next request fails so
        self._counter = itertools.count(1)

    # --- what tests read ---

    def calls(self, method, path_prefix):
        return [
            params
            for m, path, params in self.requests
            if m == method and path.startswith(path_prefix)
        ]

    # --- stripe.HTTPClient ---

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query or "", keep_blank_values=True))
        method = method.upper()
        self.requests.append((method, parts.path, params))
        if self.fail_with is not None:
            status, error = self.fail_with
            self.fail_with = None
            return json.dumps({"error": error}), status, {}
        status, body = self._answer(method, parts.path, params)
        return json.dumps(body), status, {"request-id": f"req_test_{next(self._counter)}"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("Agora never streams from Stripe")

    def close(self):
        pass

    def _new_id(self, prefix):
        return f"{prefix}_test{next(self._counter):08d}"

    def _answer(self, method, path, params):
        for (route_method, pattern), build in ROUTES.items():
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return build(self, params, *match.groups())
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({method}: {path}).",
            }
        }


def _product(fake, params):
    obj = stripe_object("product")
    obj.update(id=fake._new_id("prod"), name=params.get("name", obj["name"]))
    return 200, obj


def _price(fake, params, price_id=None):
    obj = stripe_object("price")
    if price_id:
        obj.update(id=price_id, active=params.get("active", "true") == "true")
        return 200, obj
    obj.update(
        id=fake._new_id("price"),
        unit_amount=int(params["unit_amount"]),
        currency=params["currency"],
        product=params["product"],
    )
    if "recurring[interval]" in params:
        obj["recurring"]["interval"] = params["recurring[interval]"]
        obj["type"] = "recurring"
    else:
        obj.update(recurring=None, type="one_time")
    return 200, obj


def _customer(fake, params):
    obj = stripe_object("customer")
    obj.update(id=fake._new_id("cus"), email=params.get("email"), name=params.get("name"))
    return 200, obj


def _checkout_session(fake, params):
    obj = stripe_object("checkout.session")
    session_id = fake._new_id("cs")
    obj.update(
        id=session_id,
        mode=params["mode"],
        status="open",
        url=f"https://checkout.stripe.com/c/pay/{session_id}",
        client_reference_id=params.get("client_reference_id"),
        customer=params.get("customer"),
        success_url=params["success_url"],
        cancel_url=params["cancel_url"],
    )
    return 200, obj


def _portal_session(fake, params):
    obj = stripe_object("billing_portal.session")
    obj.update(
        id=fake._new_id("bps"),
        customer=params["customer"],
        return_url=params["return_url"],
        url=f"https://billing.stripe.com/p/session/{fake._new_id('test')}",
    )
    return 200, obj


def _coupon(fake, params):
    obj = stripe_object("coupon")
    obj.update(
        id=fake._new_id("co"),
        name=params["name"],
        duration=params["duration"],
        percent_off=float(params["percent_off"]) if "percent_off" in params else None,
        amount_off=int(params["amount_off"]) if "amount_off" in params else None,
        currency=params.get("currency"),
        valid=True,
    )
    return 200, obj


def _coupon_deleted(fake, params, coupon_id):
    return 200, {"id": coupon_id, "object": "coupon", "deleted": True}


def _promotion_code(fake, params, promo_id=None):
    obj = copy.deepcopy(stripe_object("promotion_code"))
    if promo_id:
        obj.update(id=promo_id, active=params.get("active", "true") == "true")
        return 200, obj
    obj.update(id=fake._new_id("promo"), code=params["code"], active=True)
    obj["promotion"]["coupon"] = params["promotion[coupon]"]
    return 200, obj


def _subscription(fake, params, subscription_id):
    if subscription_id not in fake.subscriptions:
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such subscription: '{subscription_id}'",
            }
        }
    return 200, fake.subscriptions[subscription_id]


ROUTES = {
    ("POST", r"/v1/products"): _product,
    ("POST", r"/v1/prices"): _price,
    ("POST", r"/v1/prices/([^/]+)"): _price,
    ("POST", r"/v1/customers"): _customer,
    ("POST", r"/v1/checkout/sessions"): _checkout_session,
    ("POST", r"/v1/billing_portal/sessions"): _portal_session,
    ("POST", r"/v1/coupons"): _coupon,
    ("DELETE", r"/v1/coupons/([^/]+)"): _coupon_deleted,
    ("POST", r"/v1/promotion_codes"): _promotion_code,
    ("POST", r"/v1/promotion_codes/([^/]+)"): _promotion_code,
    ("GET", r"/v1/subscriptions/([^/]+)"): _subscription,
}
