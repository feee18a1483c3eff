"""Events in the Django admin (events/admin.py): every list and page loads; adding and
editing an event go through the authoring service with the times read as the event's own
wall-clock; the actions cancel and soft-delete through the services; the rest is read only
and a feed's secret token is never shown."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from community.models import AuditEntry
from events.models import Event
from tests.factories import (
    CalendarFeedFactory,
    EventFactory,
    OccurrenceChangeFactory,
    ReminderSentFactory,
    RsvpFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["event", "occurrencechange", "rsvp", "remindersent", "calendarfeed"]
READ_ONLY = MODELS[1:]


@pytest.fixture
def staff_client(client, admin):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


@pytest.fixture
def scenery(db):
    event = EventFactory(title="Meetup <b>", weekly=True)
    OccurrenceChangeFactory(event=event)
    rsvp = RsvpFactory(event=event)
    ReminderSentFactory(event=event, user=rsvp.user)
    return event, CalendarFeedFactory(user=rsvp.user)


def form(**fields):
    return {"title": "Book club", "slug": "", "description": "Read *this*",
            "starts_at_0": "2030-03-04", "starts_at_1": "18:00", "ends_at_0": "2030-03-04",
            "ends_at_1": "19:30", "time_zone": "Europe/Paris", "location": "Library",
            "online_url": "", "capacity": "", "visibility": "members", "required_tier": "",
            "rrule": ""} | fields  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_each_changelist_and_change_page_loads(staff_client, scenery, model):
    changelist = reverse(f"admin:events_{model}_changelist")
    assert staff_client.get(changelist, {"q": "meetup"}).status_code == 200
    response = staff_client.get(changelist)
    assert response.context["cl"].result_count == 1
    obj = response.context["cl"].result_list[0]
    assert (
        staff_client.get(reverse(f"admin:events_{model}_change", args=[obj.pk])).status_code == 200
    )


@pytest.mark.parametrize("model", READ_ONLY)
def test_what_members_and_tasks_write_is_read_only(staff_client, scenery, model):
    assert staff_client.get(reverse(f"admin:events_{model}_add")).status_code == 403


def test_a_feeds_token_is_never_shown(staff_client, scenery):
    _, feed = scenery
    for url in (reverse("admin:events_calendarfeed_changelist"),
                reverse("admin:events_calendarfeed_change", args=[feed.pk])):  # fmt: skip
        assert feed.token not in staff_client.get(url).content.decode()


def test_adding_an_event_reads_its_times_in_its_own_zone(staff_client, admin):
    response = staff_client.post(reverse("admin:events_event_add"), form())
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.starts_at == datetime(2030, 3, 4, 17, tzinfo=UTC)  # 18:00 in Paris
    assert event.ends_at == datetime(2030, 3, 4, 18, 30, tzinfo=UTC)
    assert (event.slug, event.description_html) == ("book-club", "<p>Read <em>this</em></p>\n")
    assert event.created_by == admin
    assert AuditEntry.objects.filter(action="events.create").count() == 1


def test_the_change_page_shows_and_saves_the_events_wall_clock(staff_client):
    staff_client.post(reverse("admin:events_event_add"), form())
    event = Event.objects.get()
    change = reverse("admin:events_event_change", args=[event.pk])
    assert 'value="18:00:00"' in staff_client.get(change).content.decode()
    response = staff_client.post(change, form(slug="book-club", starts_at_1="18:30"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == datetime(2030, 3, 4, 17, 30, tzinfo=UTC)
    assert AuditEntry.objects.get(action="events.update").reason == "starts_at"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_at_1": "17:00"}, "ends after it starts"),
        ({"time_zone": "Atlantis/Capital"}, "not a known time zone"),
        ({"rrule": "FREQ=NEVER"}, "cannot be read"),
        ({"capacity": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(staff_client, fields, message):
    response = staff_client.post(reverse("admin:events_event_add"), form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_the_actions_cancel_and_soft_delete_through_the_services(
    staff_client, domain_signals, django_capture_on_commit_callbacks
):
    first, second = EventFactory(), EventFactory()
    changelist = reverse("admin:events_event_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(changelist, {"action": "cancel", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert domain_signals.of("events.event_cancelled") == [
        {"event_id": first.pk, "occurrence_start": None}
    ]
    staff_client.post(
        changelist, {"action": "soft_delete", "_selected_action": [first.pk, second.pk]}
    )
    assert Event.objects.alive().count() == 0 and Event.objects.count() == 2
    assert AuditEntry.objects.filter(action="events.delete").count() == 2
    assert AuditEntry.objects.filter(action="events.cancel").count() == 1


def test_deleting_from_the_change_page_is_the_soft_delete(staff_client):
    event = EventFactory()
    response = staff_client.post(
        reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.deleted_at is not None
