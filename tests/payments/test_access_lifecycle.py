"""A member's access through a subscription's life, with times around now: Stripe's object
shapes from the fixtures, re-dated, delivered as signed events."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from community import access
from community.models import AccessGrant
from payments import processing, services, tasks
from payments.models import Coupon, Customer, Plan, Purchase, Subscription, WebhookEvent
from tests.factories import SpaceFactory, UserFactory

from .stripe_fake import PRICE_ID, make_event, stripe_object

pytestmark = pytest.mark.django_db

CUSTOMER = "cus_TestLifecycle01"
SUB = "sub_TestLifecycle01"
DAY = timedelta(days=1)


def at(moment):
    return int(moment.timestamp())


def subscription(status, *, start, period_start, period_end, trial_start=None,
                 trial_end=None, cancel_at_period_end=False, ended_at=None, reason=None,
                 price=PRICE_ID):  # fmt: skip
    obj = stripe_object("subscription.active")
    obj.update(
        id=SUB, customer=CUSTOMER, status=status, start_date=at(start), created=at(start),
        billing_cycle_anchor=at(period_start),
        trial_start=at(trial_start) if trial_start else None,
        trial_end=at(trial_end) if trial_end else None,
        cancel_at_period_end=cancel_at_period_end,
        canceled_at=at(ended_at) if ended_at else None,
        ended_at=at(ended_at) if ended_at else None,
        cancellation_details={"comment": None, "feedback": None, "reason": reason},
    )  # fmt: skip
    item = obj["items"]["data"][0]
    item.update(current_period_start=at(period_start), current_period_end=at(period_end))
    item["price"]["id"] = price
    item["subscription"] = SUB
    return obj


@pytest.fixture
def subscriber(db):
    member = UserFactory()
    Customer.objects.create(user=member, stripe_id=CUSTOMER)
    return member


@pytest.fixture
def paid_space(pro):
    return SpaceFactory(name="Deep dives", visibility="paid", required_tier=pro)


@pytest.fixture
def lifetime(pro):
    return Plan.objects.create(tier=pro, name="Lifetime", amount=49000, interval="one_time",
                               stripe_price_id="price_lifetime")  # fmt: skip


def sees(member, space):
    member = type(member).objects.get(pk=member.pk)  # a fresh request's view of the member
    return access.can_see_space(member, space)


def held(member):
    return list(AccessGrant.objects.active().filter(user=member).values_list("source", "ends_at"))


def test_a_paid_space_opens_exactly_while_the_grant_is_active(
    deliver, stripe_http, subscriber, monthly_plan, paid_space
):
    now = timezone.now()
    assert not sees(subscriber, paid_space)
    active = subscription("active", start=now - DAY, period_start=now - DAY,
                          period_end=now + 29 * DAY)  # fmt: skip
    deliver(make_event("customer.subscription.created", active, created=at(now) - 5))
    assert sees(subscriber, paid_space)
    grant = AccessGrant.objects.get(user=subscriber)
    assert grant.ends_at == (now + 29 * DAY).replace(microsecond=0)
    # The period runs out without a renewal event: access ends with it, not later.
    AccessGrant.objects.filter(pk=grant.pk).update(
        starts_at=now - 40 * DAY, ends_at=now - timedelta(seconds=1)
    )
    assert not sees(subscriber, paid_space)
    canceled = subscription("canceled", start=now - DAY, period_start=now - DAY,
                            period_end=now + 29 * DAY, ended_at=now)  # fmt: skip
    deliver(make_event("customer.subscription.deleted", canceled, created=at(now)))
    assert not sees(subscriber, paid_space)


def test_payment_failure_keeps_access_for_the_grace_period_then_recovers(
    deliver, stripe_http, subscriber, monthly_plan, paid_space, domain_signals, settings
):
    settings.PAYMENTS_PAST_DUE_GRACE_DAYS = 3
    now = timezone.now()
    renewed = now - DAY  # the renewal charge at the start of this period failed
    kwargs = {"start": now - 40 * DAY, "period_start": renewed, "period_end": renewed + 30 * DAY}
    deliver(make_event("customer.subscription.updated", subscription("active", **kwargs),
                       created=at(now) - 30))  # fmt: skip
    invoice = stripe_object("invoice.payment_failed")
    invoice.update(customer=CUSTOMER)
    deliver(make_event("invoice.payment_failed", invoice, created=at(now) - 20))
    deliver(make_event("customer.subscription.updated", subscription("past_due", **kwargs),
                       created=at(now) - 10, previous_attributes={"status": "active"}))  # fmt: skip

    grace_end = (renewed + 3 * DAY).replace(microsecond=0)
    assert held(subscriber) == [("payment", grace_end)]
    assert sees(subscriber, paid_space)
    sent = domain_signals.names()
    assert "payments.payment_failed" in sent and "payments.subscription_past_due" in sent
    past_due = domain_signals.of("payments.subscription_past_due")[0]
    assert past_due["user_id"] == subscriber.pk
    assert past_due["grace_ends_at"] == grace_end.isoformat()

    # The retry succeeds: back to the period's end.
    paid = stripe_object("invoice.paid")
    paid.update(customer=CUSTOMER)
    deliver(make_event("invoice.paid", paid, created=at(now) - 5))
    deliver(make_event("customer.subscription.updated", subscription("active", **kwargs),
                       created=at(now), previous_attributes={"status": "past_due"}))  # fmt: skip
    assert held(subscriber) == [("payment", (renewed + 30 * DAY).replace(microsecond=0))]

    # Messaging told the member by mail: the failure (with Stripe's page to pay), the
    # overdue notice, then a receipt; the receipt once, however often Stripe resends.
    deliver(make_event("invoice.paid", paid, created=at(now) - 4))
    to_member = [m for m in mail.outbox if m.to == [subscriber.email]]
    failed, overdue, receipt = (
        [m for m in to_member if words in m.subject]
        for words in ("A payment failed", "payment is overdue", "Receipt: $20.00")
    )
    assert len(failed) == len(overdue) == len(receipt) == 1
    assert invoice["hosted_invoice_url"] in failed[0].body
    assert paid["number"] in receipt[0].body and paid["hosted_invoice_url"] in receipt[0].body
    assert "List-Unsubscribe" not in receipt[0].extra_headers  # a receipt cannot be refused


def test_past_due_beyond_the_grace_period_loses_access(
    deliver, stripe_http, subscriber, monthly_plan, paid_space
):
    now = timezone.now()
    kwargs = {"start": now - 60 * DAY, "period_start": now - 10 * DAY,
              "period_end": now + 20 * DAY}  # fmt: skip
    deliver(make_event("customer.subscription.updated", subscription("past_due", **kwargs)))
    assert held(subscriber) == []  # the 7-day grace ended three days ago
    assert not sees(subscriber, paid_space)


def test_cancellation_at_period_end_keeps_access_until_then(
    deliver, stripe_http, subscriber, monthly_plan, paid_space
):
    now = timezone.now()
    end = now + 10 * DAY
    kwargs = {"start": now - 20 * DAY, "period_start": now - 20 * DAY, "period_end": end}
    deliver(make_event("customer.subscription.updated",
                       subscription("active", cancel_at_period_end=True, **kwargs),
                       created=at(now) - 5))  # fmt: skip
    assert Subscription.objects.get().cancel_at_period_end
    assert held(subscriber) == [("payment", end.replace(microsecond=0))]
    assert sees(subscriber, paid_space)
    # At the period's end Stripe deletes it; the grant ends then, not earlier.
    ended = subscription("canceled", ended_at=end, reason="cancellation_requested", **kwargs)
    deliver(make_event("customer.subscription.deleted", ended, created=at(now)))
    grant = AccessGrant.objects.get(user=subscriber)
    assert grant.ends_at == end.replace(microsecond=0) and grant.revoked_at is None


def test_a_trial_starts_warns_and_converts(
    deliver, stripe_http, subscriber, monthly_plan, paid_space, domain_signals
):
    now = timezone.now()
    trial_end = now + 14 * DAY
    trialing = subscription("trialing", start=now, period_start=now, period_end=trial_end,
                            trial_start=now, trial_end=trial_end)  # fmt: skip
    deliver(make_event("customer.subscription.created", trialing, created=at(now)))
    assert held(subscriber) == [("trial", trial_end.replace(microsecond=0))]
    assert sees(subscriber, paid_space)

    deliver(make_event("customer.subscription.trial_will_end", trialing, created=at(now) + 1))
    warned = domain_signals.of("payments.trial_will_end")
    assert warned and warned[0]["trial_end"] == trial_end.replace(microsecond=0).isoformat()

    converted = subscription("active", start=now, period_start=trial_end,
                             period_end=trial_end + 30 * DAY, trial_start=now,
                             trial_end=trial_end)  # fmt: skip
    deliver(make_event("customer.subscription.updated", converted, created=at(now) + 2))
    grants = AccessGrant.objects.filter(user=subscriber).order_by("starts_at")
    assert [(g.source, g.starts_at, g.ends_at) for g in grants] == [
        ("trial", now.replace(microsecond=0), trial_end.replace(microsecond=0)),
        ("payment", trial_end.replace(microsecond=0),
         (trial_end + 30 * DAY).replace(microsecond=0)),
    ]  # fmt: skip


def test_a_trial_that_ends_without_payment_ends_access(
    deliver, stripe_http, subscriber, monthly_plan, paid_space
):
    now = timezone.now()
    trial_start, trial_end = now - 14 * DAY, now - DAY
    paused = subscription("paused", start=trial_start, period_start=trial_end,
                          period_end=trial_end + 30 * DAY, trial_start=trial_start,
                          trial_end=trial_end)  # fmt: skip
    deliver(make_event("customer.subscription.paused", paused))
    assert held(subscriber) == []
    assert AccessGrant.objects.get(user=subscriber).source == "trial"
    assert not sees(subscriber, paid_space)


def test_a_full_discount_coupon_is_the_source_of_the_grant(
    deliver, stripe_http, subscriber, monthly_plan
):
    coupon = Coupon.objects.create(stripe_id="co_FREEYEAR", name="Free", percent_off=100,
                                   duration="forever")  # fmt: skip
    now = timezone.now()
    obj = subscription("active", start=now, period_start=now, period_end=now + 30 * DAY)
    obj["discounts"] = [{"id": "di_1", "object": "discount",
                         "source": {"type": "coupon", "coupon": coupon.stripe_id}}]  # fmt: skip
    deliver(make_event("customer.subscription.created", obj))
    sub = Subscription.objects.get()
    assert sub.coupon_stripe_id == "co_FREEYEAR"
    assert held(subscriber)[0][0] == "coupon"


def test_a_checkout_coupon_is_kept_on_the_subscription(
    deliver, stripe_http, subscriber, monthly_plan
):
    Coupon.objects.create(stripe_id="co_HALF", name="Half", percent_off=50, duration="once")
    now = timezone.now()
    obj = subscription("active", start=now, period_start=now, period_end=now + 30 * DAY)
    deliver(make_event("customer.subscription.created", obj, created=at(now) - 1))
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(client_reference_id=str(subscriber.pk), customer=CUSTOMER, subscription=SUB,
                   discounts=[{"coupon": "co_HALF", "promotion_code": "promo_1"}])  # fmt: skip
    deliver(make_event("checkout.session.completed", session, created=at(now)))
    assert Subscription.objects.get().coupon_stripe_id == "co_HALF"
    assert held(subscriber)[0][0] == "payment"  # half off is still a payment


def one_time_session(member, plan, *, session_id="cs_test_onetime_1"):
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(id=session_id, mode="payment", subscription=None, invoice=None,
                   payment_status="paid", client_reference_id=str(member.pk), customer=CUSTOMER,
                   amount_total=plan.amount, metadata={"plan_id": str(plan.pk)})  # fmt: skip
    return session


def test_a_one_time_purchase_grants_without_end_once(
    deliver, stripe_http, subscriber, lifetime, paid_space
):
    body = make_event("checkout.session.completed", one_time_session(subscriber, lifetime))
    deliver(body)
    deliver(body)  # Stripe delivers it again
    # …and the same session in another event (resent by hand) grants nothing more.
    deliver(make_event("checkout.session.completed", one_time_session(subscriber, lifetime)))
    purchase = Purchase.objects.get()
    assert purchase.user == subscriber and purchase.amount_total == 49000
    assert held(subscriber) == [("payment", None)]
    assert sees(subscriber, paid_space)


def test_a_visitor_who_buys_gets_an_account_and_a_sign_in_email(
    deliver, stripe_http, monthly_plan, mailoutbox
):
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(client_reference_id=None, customer="cus_NewVisitor01",
                   subscription="sub_NewVisitor01",
                   customer_details={**session["customer_details"], "email": "new@example.com",
                                     "name": "New Person"})  # fmt: skip
    deliver(make_event("checkout.session.completed", session))
    member = Customer.objects.get(stripe_id="cus_NewVisitor01").user
    assert member.email == "new@example.com" and member.display_name == "New Person"
    assert not member.has_usable_password()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new@example.com"]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    # The subscription's events, even after the checkout, find the new member.
    now = timezone.now()
    obj = subscription("active", start=now, period_start=now, period_end=now + 30 * DAY)
    obj.update(id="sub_NewVisitor01", customer="cus_NewVisitor01")
    deliver(make_event("customer.subscription.created", obj))
    assert held(member) == [("payment", (now + 30 * DAY).replace(microsecond=0))]


def test_a_subscription_for_an_unknown_price_is_kept_without_access(
    deliver, stripe_http, subscriber, monthly_plan
):
    now = timezone.now()
    obj = subscription("active", start=now, period_start=now, period_end=now + DAY,
                       price="price_not_ours")  # fmt: skip
    deliver(make_event("customer.subscription.created", obj))
    assert Subscription.objects.get().plan is None
    assert WebhookEvent.objects.get().state == "processed"
    assert held(subscriber) == []


# --- Failures, retries and the reconcile task ----------------------------------------------


def test_a_failing_event_is_retried_with_backoff_then_given_up(deliver, stripe_http, monthly_plan):
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(client_reference_id=None, customer_email=None,
                   customer_details={**session["customer_details"], "email": None})  # fmt: skip
    deliver(make_event("checkout.session.completed", session))
    event = WebhookEvent.objects.get()
    assert event.state == "failed" and event.attempts == 1
    assert "names no member and no email" in event.last_error
    first_delay = event.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_delay <= timedelta(minutes=1)

    tasks.retry_due_events()  # not due yet
    assert WebhookEvent.objects.get().attempts == 1
    for attempt in range(2, processing.MAX_ATTEMPTS + 1):
        WebhookEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        tasks.retry_due_events()
        event = WebhookEvent.objects.get()
        assert event.attempts == attempt
    assert event.state == "gave_up" and event.next_attempt_at is None


def test_an_admin_reruns_a_failed_event_after_fixing_its_cause(
    deliver, stripe_http, monthly_plan, admin, django_capture_on_commit_callbacks
):
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(client_reference_id="999999", customer="cus_Rerun01",
                   customer_details={**session["customer_details"], "email": None})  # fmt: skip
    deliver(make_event("checkout.session.completed", session))
    assert WebhookEvent.objects.get().state == "failed"
    member = UserFactory(id=999999)  # the member it was for now exists
    with django_capture_on_commit_callbacks(execute=True):
        services.rerun_event(admin, event=WebhookEvent.objects.get())
    event = WebhookEvent.objects.get()
    assert event.state == "processed" and event.last_error == ""
    assert Customer.objects.get(stripe_id="cus_Rerun01").user == member


def test_reconcile_repairs_a_grant_changed_by_hand_and_runs_twice_the_same(
    deliver, stripe_http, subscriber, monthly_plan, settings
):
    now = timezone.now()
    obj = subscription("active", start=now, period_start=now, period_end=now + 30 * DAY)
    deliver(make_event("customer.subscription.created", obj))
    AccessGrant.objects.filter(user=subscriber).update(ends_at=None)  # drift
    settings.STRIPE_SECRET_KEY = ""  # reconcile without Stripe: from the mirrored state
    tasks.reconcile_subscriptions()
    tasks.reconcile_subscriptions()
    assert held(subscriber) == [("payment", (now + 30 * DAY).replace(microsecond=0))]


def test_reconcile_reads_stripe_and_applies_a_cancellation_it_missed(
    deliver, stripe_http, subscriber, monthly_plan
):
    now = timezone.now()
    kwargs = {"start": now - 5 * DAY, "period_start": now - 5 * DAY, "period_end": now + 25 * DAY}
    deliver(make_event("customer.subscription.created", subscription("active", **kwargs),
                       created=at(now) - 60))  # fmt: skip
    # The deleted event never arrived; Stripe says it ended a minute ago.
    stripe_http.subscriptions[SUB] = subscription(
        "canceled", ended_at=now - timedelta(minutes=1), reason="cancellation_requested", **kwargs
    )
    tasks.reconcile_subscriptions()
    assert stripe_http.calls("GET", f"/v1/subscriptions/{SUB}")
    assert Subscription.objects.get().status == "canceled"
    assert held(subscriber) == []


def test_checkout_before_the_subscription_events_reads_it_from_stripe(
    deliver, stripe_http, monthly_plan, paid_space
):
    member = UserFactory()
    now = timezone.now()
    stripe_http.subscriptions[SUB] = subscription(
        "active", start=now, period_start=now, period_end=now + 30 * DAY
    )
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(client_reference_id=str(member.pk), customer=CUSTOMER, subscription=SUB)
    deliver(make_event("checkout.session.completed", session, created=at(now)))
    assert stripe_http.calls("GET", f"/v1/subscriptions/{SUB}")
    assert sees(member, paid_space)
    # The subscription's own, older events change nothing when they come.
    old = subscription("incomplete", start=now, period_start=now, period_end=now + 30 * DAY)
    deliver(make_event("customer.subscription.created", old, created=at(now) - 2))
    assert Subscription.objects.get().status == "active" and sees(member, paid_space)


def test_checkout_still_links_the_member_when_stripe_cannot_be_read(
    deliver, stripe_http, monthly_plan
):
    member = UserFactory()
    stripe_http.fail_with = (500, {"type": "api_error", "message": "Stripe is having a day"})
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(client_reference_id=str(member.pk), customer=CUSTOMER, subscription=SUB)
    deliver(make_event("checkout.session.completed", session))
    assert WebhookEvent.objects.get().state == "processed"
    assert Customer.objects.get(stripe_id=CUSTOMER).user == member


# --- What the reviewers found: repricing, same-second events, delayed payments -------------


def test_a_new_price_for_the_plan_keeps_the_subscribers_of_the_old_one(
    deliver, stripe_http, subscriber, monthly_plan, admin, paid_space
):
    now = timezone.now()
    kwargs = {"start": now - DAY, "period_start": now - DAY, "period_end": now + 29 * DAY}
    deliver(make_event("customer.subscription.created", subscription("active", **kwargs),
                       created=at(now) - 60))  # fmt: skip
    services.update_plan(admin, plan=monthly_plan, amount=2500)
    assert Plan.objects.get().stripe_price_id != PRICE_ID
    # The old price's renewal: Stripe's price carries the plan id Agora gave it.
    renewed = subscription("active", **{**kwargs, "period_end": now + 59 * DAY})
    renewed["items"]["data"][0]["price"]["metadata"] = {"plan_id": str(monthly_plan.pk)}
    deliver(make_event("customer.subscription.updated", renewed, created=at(now) - 30))
    assert Subscription.objects.get().plan == monthly_plan
    assert held(subscriber) == [("payment", (now + 59 * DAY).replace(microsecond=0))]
    # A price with no metadata (made before plans carried it) that has not changed: kept too.
    bare = subscription("active", **{**kwargs, "period_end": now + 89 * DAY})
    deliver(make_event("customer.subscription.updated", bare, created=at(now) - 10))
    assert Subscription.objects.get().plan == monthly_plan and sees(subscriber, paid_space)


def test_a_switch_to_a_price_no_plan_sells_is_no_longer_access(
    deliver, stripe_http, subscriber, monthly_plan
):
    now = timezone.now()
    kwargs = {"start": now - DAY, "period_start": now - DAY, "period_end": now + 29 * DAY}
    deliver(make_event("customer.subscription.created", subscription("active", **kwargs),
                       created=at(now) - 60))  # fmt: skip
    other = subscription("active", price="price_not_ours", **kwargs)
    deliver(make_event("customer.subscription.updated", other, created=at(now) - 30))
    assert Subscription.objects.get().plan is None and held(subscriber) == []


@pytest.mark.parametrize("first", ["created", "updated"])
def test_events_of_the_same_second_never_go_back_to_incomplete(
    deliver, stripe_http, subscriber, monthly_plan, first
):
    now = timezone.now()
    kwargs = {"start": now, "period_start": now, "period_end": now + 30 * DAY}
    created = make_event("customer.subscription.created", subscription("incomplete", **kwargs),
                         created=at(now))  # fmt: skip
    updated = make_event("customer.subscription.updated", subscription("active", **kwargs),
                         created=at(now))  # fmt: skip
    for body in (created, updated) if first == "created" else (updated, created):
        deliver(body)
    assert Subscription.objects.get().status == "active"
    assert held(subscriber) == [("payment", (now + 30 * DAY).replace(microsecond=0))]


def test_an_ended_subscription_stays_ended_against_an_update_of_the_same_second(
    deliver, stripe_http, subscriber, monthly_plan
):
    now = timezone.now()
    kwargs = {"start": now - DAY, "period_start": now - DAY, "period_end": now + 29 * DAY}
    ended = subscription("canceled", ended_at=now, reason="cancellation_requested", **kwargs)
    deliver(make_event("customer.subscription.deleted", ended, created=at(now)))
    deliver(make_event("customer.subscription.updated", subscription("active", **kwargs),
                       created=at(now)))  # fmt: skip
    assert Subscription.objects.get().status == "canceled" and held(subscriber) == []


def test_an_event_of_the_same_second_as_a_read_from_stripe_wins(
    deliver, stripe_http, subscriber, monthly_plan
):
    now = timezone.now()
    kwargs = {"start": now - DAY, "period_start": now - DAY, "period_end": now + 29 * DAY}
    deliver(make_event("customer.subscription.created", subscription("active", **kwargs),
                       created=at(now) - 60))  # fmt: skip
    stripe_http.subscriptions[SUB] = subscription("active", **kwargs)
    tasks.reconcile_subscriptions()  # reads "active" from Stripe, now
    # The cancellation happened later in the very second of that read (events carry whole
    # seconds): its event must not be taken for an older state.
    ended = subscription("canceled", ended_at=now, reason="cancellation_requested", **kwargs)
    deliver(make_event("customer.subscription.deleted", ended,
                       created=int(timezone.now().timestamp())))  # fmt: skip
    assert Subscription.objects.get().status == "canceled" and held(subscriber) == []


def test_reconcile_reads_only_subscriptions_that_may_still_hold_access(
    deliver, stripe_http, subscriber, monthly_plan, django_assert_num_queries
):
    now = timezone.now()
    kwargs = {"start": now - 60 * DAY, "period_start": now - 60 * DAY, "period_end": now - DAY}
    ended = subscription("canceled", ended_at=now - DAY, reason="cancellation_requested",
                         **kwargs)  # fmt: skip
    deliver(make_event("customer.subscription.deleted", ended, created=at(now) - 60))
    assert AccessGrant.objects.get(user=subscriber).revoked_at is None  # ended, kept as history
    # Its grant ran out yesterday: nothing to repair, nothing to ask Stripe, one query.
    with django_assert_num_queries(1):
        tasks.reconcile_subscriptions()
    assert stripe_http.calls("GET", "/v1/subscriptions") == []
    assert held(subscriber) == []


@pytest.mark.parametrize("payment_status", ["paid", "no_payment_required"])
def test_a_one_time_purchase_paid_or_fully_discounted_grants(
    deliver, stripe_http, subscriber, lifetime, paid_space, payment_status
):
    session = one_time_session(subscriber, lifetime)
    session["payment_status"] = payment_status
    deliver(make_event("checkout.session.completed", session))
    assert held(subscriber) == [("payment", None)] and sees(subscriber, paid_space)


def test_a_delayed_one_time_payment_grants_when_it_clears(
    deliver, stripe_http, subscriber, lifetime, paid_space
):
    session = one_time_session(subscriber, lifetime)
    session["payment_status"] = "unpaid"  # a bank debit, still clearing
    deliver(make_event("checkout.session.completed", session))
    assert held(subscriber) == [] and Purchase.objects.count() == 0
    session["payment_status"] = "paid"
    succeeded = make_event("checkout.session.async_payment_succeeded", session)
    deliver(succeeded)
    deliver(succeeded)
    assert Purchase.objects.get().plan == lifetime
    assert held(subscriber) == [("payment", None)] and sees(subscriber, paid_space)
