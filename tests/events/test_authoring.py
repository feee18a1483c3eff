"""Authoring events (events/services/authoring.py): wall-clock times in the event's zone,
each write's refusals by field with nothing changed, who may write, the audit entries, the
signals and live events after commit; repeat rules from the page's simple choices. One
occurrence and "this and following" are tests/events/test_occurrences.py."""

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from community.models import AuditEntry
from events import recurrence
from events.models import Event, OccurrenceChange, Rsvp
from events.services import authoring, common
from tests.factories import EventFactory, RsvpFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# A Monday, 18:00 in Paris (17:00 UTC), far ahead so every occurrence is upcoming.
MONDAY = datetime(2030, 3, 4, 18, 0)


def create(admin, **fields):
    values = {"title": "Yoga", "starts_at": MONDAY, "ends_at": MONDAY + timedelta(hours=1),
              "time_zone": "Europe/Paris", "visibility": "members"} | fields  # fmt: skip
    return authoring.create_event(admin, **values)


def starts(event, *, weeks=30):
    found = recurrence.occurrences(event, start=event.starts_at,
                                   end=event.starts_at + timedelta(weeks=weeks))  # fmt: skip
    return [occurrence.starts_at for occurrence in found if not occurrence.cancelled]


def paris(*args):
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 100), (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


# --- Creating ---------------------------------------------------------------------------------


def test_it_creates_an_event_at_its_wall_clock_time(
    admin, live_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = create(admin, description="Bring a **mat**", location=" Studio 3 ", capacity=12)
    assert event.starts_at == datetime(2030, 3, 4, 17, tzinfo=UTC)  # 18:00 CET
    assert event.ends_at == datetime(2030, 3, 4, 18, tzinfo=UTC)
    assert event.description_html == "<p>Bring a <strong>mat</strong></p>\n"
    assert (event.slug, event.location, event.capacity) == ("yoga", "Studio 3", 12)
    assert event.created_by == admin and not event.is_recurring
    assert AuditEntry.objects.get().action == "events.create"
    assert live_events.to(f"event:{event.pk}") == [
        (f"event:{event.pk}", "event.updated", {"id": event.pk})
    ]


def test_slugs_are_made_unique_from_the_title(admin):
    assert [create(admin).slug for _ in range(3)] == ["yoga", "yoga-2", "yoga-3"]


def test_an_all_day_event_covers_whole_days_in_its_zone(admin):
    event = create(admin, all_day=True, starts_at=datetime(2030, 3, 4, 15, 30),
                   ends_at=datetime(2030, 3, 5, 9))  # fmt: skip
    assert event.starts_at == paris(2030, 3, 4)
    assert event.ends_at == paris(2030, 3, 6)  # exclusive, as an iCalendar DTEND


def test_an_all_day_event_keeps_its_days_when_its_zone_changes(admin):
    event = create(admin, all_day=True, starts_at=datetime(2030, 3, 4),
                   ends_at=datetime(2030, 3, 5))  # fmt: skip
    authoring.update_event(admin, event=event, time_zone="America/New_York")
    new_york = ZoneInfo("America/New_York")
    assert event.starts_at == datetime(2030, 3, 4, tzinfo=new_york)
    assert event.ends_at == datetime(2030, 3, 6, tzinfo=new_york)


def test_a_paid_event_needs_its_tier(admin):
    tier = TierFactory()
    event = create(admin, visibility=Event.Visibility.PAID, required_tier=tier)
    assert event.required_tier == tier
    with pytest.raises(ValidationError) as refused:
        create(admin, visibility=Event.Visibility.PAID)
    assert "required_tier" in refused.value.message_dict


def test_a_cover_is_checked_and_scaled_down(admin):
    event = create(admin, cover=png())
    with Image.open(event.cover) as image:
        assert max(image.size) == common.COVER_MAX_SIDE
    with pytest.raises(ValidationError) as refused:
        create(admin, cover=SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image"))
    assert "cover" in refused.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": MONDAY - timedelta(minutes=1)}, "ends_at"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"rrule": "FREQ=HOURLY;COUNT=3"}, "rrule"),
        ({"rrule": "FREQ=DAILY;COUNT=100000"}, "rrule"),
        ({"title": ""}, "title"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        # 02:30 does not exist in Paris on 31 March 2030: the clocks go from 02:00 to 03:00.
        ({"starts_at": datetime(2030, 3, 31, 2, 30), "ends_at": datetime(2030, 3, 31, 4)},
         "starts_at"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_by_field_and_nothing_is_written(admin, fields, field):
    with pytest.raises(ValidationError) as refused:
        create(admin, **fields)
    assert field in refused.value.message_dict
    assert Event.objects.count() == AuditEntry.objects.count() == 0


def test_only_admins_author(member, moderator, banned_member):
    for actor in (member, moderator, banned_member):
        with pytest.raises(PermissionDenied):
            create(actor)
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        authoring.cancel_event(moderator, event=event)
    assert Event.objects.get().cancelled_at is None


# --- Repeat rules from the page's choices ------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "rule", "first"),
    [
        ({"freq": "DAILY", "interval": 2, "count": 3}, "FREQ=DAILY;COUNT=3;INTERVAL=2",
         [paris(2030, 3, 4, 18), paris(2030, 3, 6, 18), paris(2030, 3, 8, 18)]),
        ({"freq": "WEEKLY", "weekdays": ["WE", "MO"], "until": date(2030, 3, 11)},
         "FREQ=WEEKLY;UNTIL=20300311T225959Z;BYDAY=MO,WE",
         [paris(2030, 3, 4, 18), paris(2030, 3, 6, 18), paris(2030, 3, 11, 18)]),
        # Across the change to summer time (31 March): still 18:00 in Paris.
        ({"freq": "WEEKLY", "count": 6}, "FREQ=WEEKLY;COUNT=6;BYDAY=MO",
         [paris(2030, 3, d, 18) for d in (4, 11, 18, 25)] + [paris(2030, 4, d, 18)
                                                              for d in (1, 8)]),
        ({"freq": "MONTHLY", "count": 3}, "FREQ=MONTHLY;COUNT=3;BYMONTHDAY=4",
         [paris(2030, 3, 4, 18), paris(2030, 4, 4, 18), paris(2030, 5, 4, 18)]),
        # 4 March 2030 is the first Monday of its month.
        ({"freq": "MONTHLY", "monthly_by": "weekday", "count": 3},
         "FREQ=MONTHLY;COUNT=3;BYDAY=1MO",
         [paris(2030, 3, 4, 18), paris(2030, 4, 1, 18), paris(2030, 5, 6, 18)]),
    ],
)  # fmt: skip
def test_the_simple_choices_make_a_rule_that_repeats_as_chosen(admin, choices, rule, first):
    built = authoring.build_rrule(start=MONDAY, time_zone="Europe/Paris", **choices)
    assert built == rule
    assert starts(create(admin, rrule=built)) == first


def test_the_fifth_weekday_of_a_month_repeats_as_the_last_one():
    start = datetime(2030, 3, 29, 18)  # the fifth Friday of March 2030
    rule = authoring.build_rrule(freq="MONTHLY", monthly_by="weekday", start=start,
                                 time_zone="Europe/Paris")  # fmt: skip
    assert rule == "FREQ=MONTHLY;BYDAY=-1FR"


def test_a_rule_without_an_end_repeats_for_ever():
    rule = authoring.build_rrule(freq="WEEKLY", interval=2, start=MONDAY, time_zone="UTC")
    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"freq": "YEARLY"}, "freq"),
        ({"freq": "DAILY", "interval": 0}, "interval"),
        ({"freq": "WEEKLY", "weekdays": ["XX"]}, "weekdays"),
        ({"freq": "WEEKLY", "weekdays": ["TU"]}, "weekdays"),  # the start is a Monday
        ({"freq": "MONTHLY", "monthly_by": "moon"}, "monthly_by"),
        ({"freq": "DAILY", "count": 3, "until": date(2030, 4, 1)}, "count"),
        ({"freq": "DAILY", "count": 0}, "count"),
        ({"freq": "DAILY", "until": date(2030, 3, 1)}, "until"),
    ],
)
def test_choices_that_make_no_sense_are_refused_by_field(choices, field):
    with pytest.raises(ValidationError) as refused:
        authoring.build_rrule(start=MONDAY, time_zone="Europe/Paris", **choices)
    assert field in refused.value.message_dict


# --- Editing ------------------------------------------------------------------------------


def test_editing_the_time_tells_members_after_commit(
    admin, domain_signals, live_events, django_capture_on_commit_callbacks
):
    event = create(admin)
    with django_capture_on_commit_callbacks(execute=True):
        authoring.update_event(admin, event=event, starts_at=MONDAY + timedelta(hours=1),
                               ends_at=MONDAY + timedelta(hours=2), location="Park")  # fmt: skip
    event.refresh_from_db()
    assert event.starts_at == datetime(2030, 3, 4, 18, tzinfo=UTC) and event.location == "Park"
    assert domain_signals.of("events.event_changed") == [
        {"event_id": event.pk, "occurrence_start": None}
    ]
    assert live_events.types() == ["event.updated"]
    assert AuditEntry.objects.get(action="events.update").reason == "ends_at, location, starts_at"


def test_editing_only_the_description_tells_nobody(
    admin, domain_signals, django_capture_on_commit_callbacks
):
    event = create(admin)
    with django_capture_on_commit_callbacks(execute=True):
        authoring.update_event(admin, event=event, description="New *words*")
    assert Event.objects.get().description_html == "<p>New <em>words</em></p>\n"
    assert domain_signals.of("events.event_changed") == []


def test_a_new_zone_keeps_the_wall_clock_time(admin):
    event = create(admin)
    authoring.update_event(admin, event=event, time_zone="America/New_York")
    assert event.starts_at == datetime(2030, 3, 4, 23, tzinfo=UTC)  # 18:00 EST


def test_moving_an_event_takes_its_rsvps_along(admin):
    event = create(admin)
    going = RsvpFactory(event=event, occurrence_start=event.starts_at)
    authoring.update_event(admin, event=event, starts_at=MONDAY + timedelta(days=1),
                           ends_at=MONDAY + timedelta(days=1, hours=1))  # fmt: skip
    going.refresh_from_db()
    assert going.occurrence_start == event.starts_at == datetime(2030, 3, 5, 17, tzinfo=UTC)


def test_moving_a_series_a_week_later_moves_every_occurrences_rsvps(admin):
    event = create(admin, rrule="FREQ=WEEKLY;COUNT=4")
    firsts = starts(event)
    rsvps = [RsvpFactory(event=event, occurrence_start=start) for start in firsts[:3]]
    authoring.update_event(admin, event=event, starts_at=MONDAY + timedelta(weeks=1),
                           ends_at=MONDAY + timedelta(weeks=1, hours=1))  # fmt: skip
    moved = [Rsvp.objects.get(pk=rsvp.pk).occurrence_start for rsvp in rsvps]
    assert moved == firsts[1:4] == starts(event)[:3]


def test_a_shorter_rule_drops_the_rsvps_and_changes_of_the_dates_it_no_longer_has(
    admin, django_capture_on_commit_callbacks
):
    event = create(admin, rrule="FREQ=WEEKLY;COUNT=10")
    dates = starts(event)
    kept = RsvpFactory(event=event, occurrence_start=dates[1])
    RsvpFactory(event=event, occurrence_start=dates[7])
    OccurrenceChange.objects.create(event=event, original_start=dates[8], title="Outdoors")
    with django_capture_on_commit_callbacks(execute=True):
        authoring.update_event(admin, event=event, rrule="FREQ=WEEKLY;COUNT=5")
    assert list(Rsvp.objects.filter(event=event)) == [kept]
    assert not OccurrenceChange.objects.filter(event=event).exists()
    event.refresh_from_db()
    assert event.rsvp_count == 1


def test_a_new_rule_keeps_the_rsvps_of_past_dates(admin):
    today = timezone.localdate()
    past_monday = today - timedelta(weeks=3, days=today.weekday())
    start = datetime.combine(past_monday, MONDAY.time())
    event = create(admin, starts_at=start, ends_at=start + timedelta(hours=1),
                   rrule="FREQ=WEEKLY;COUNT=10")  # fmt: skip
    dates = starts(event)
    past = RsvpFactory(event=event, occurrence_start=dates[1])
    upcoming = RsvpFactory(event=event, occurrence_start=dates[6])
    authoring.update_event(admin, event=event, rrule="FREQ=WEEKLY;INTERVAL=4;COUNT=3")
    assert set(Rsvp.objects.filter(event=event)) == {past}
    assert dates[6] not in starts(event) and upcoming.occurrence_start == dates[6]


def test_raising_the_capacity_seats_the_waiting_members_in_order(admin):
    event = create(admin, capacity=1)
    RsvpFactory(event=event)
    first, second = UserFactory(), UserFactory()
    now = datetime.now(UTC)
    RsvpFactory(event=event, user=second, waitlisted=True, status_changed_at=now)
    RsvpFactory(event=event, user=first, waitlisted=True,
                status_changed_at=now - timedelta(minutes=5))  # fmt: skip
    authoring.update_event(admin, event=event, capacity=2)
    statuses = dict(Rsvp.objects.values_list("user", "status"))
    assert statuses[first.pk] == Rsvp.Status.GOING
    assert statuses[second.pk] == Rsvp.Status.WAITLISTED


def test_a_bad_edit_is_refused_and_the_row_is_unchanged(admin):
    event = create(admin)
    for changes, field in [({"ends_at": MONDAY - timedelta(hours=1)}, "ends_at"),
                           ({"capacity": 0}, "capacity"),
                           ({"time_zone": "Nowhere/City"}, "time_zone"),
                           ({"rrule": "FREQ=WEEKLY;UNTIL=20200101T000000Z"}, "rrule")]:  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            authoring.update_event(admin, event=Event.objects.get(), **changes)
        assert field in refused.value.message_dict
    stored = Event.objects.get()
    assert (stored.starts_at, stored.ends_at, stored.capacity, stored.rrule, stored.time_zone) == (
        event.starts_at, event.ends_at, None, "", "Europe/Paris")  # fmt: skip


# --- Cancelling and deleting ------------------------------------------------------------------


def test_cancelling_an_event_tells_members_once(
    admin, domain_signals, live_events, django_capture_on_commit_callbacks
):
    event = create(admin)
    with django_capture_on_commit_callbacks(execute=True):
        authoring.cancel_event(admin, event=event)
        authoring.cancel_event(admin, event=event)
    assert Event.objects.get().cancelled_at is not None
    assert domain_signals.of("events.event_cancelled") == [
        {"event_id": event.pk, "occurrence_start": None}
    ]
    assert live_events.to(f"event:{event.pk}")
    assert AuditEntry.objects.filter(action="events.cancel").count() == 1


def test_a_deleted_event_leaves_the_lists_and_takes_no_edit(admin):
    event = create(admin)
    authoring.delete_event(admin, event=event)
    assert not Event.objects.alive().exists() and Event.objects.get().deleted_at
    with pytest.raises(ValidationError):
        authoring.update_event(admin, event=event, title="Back")
    assert Event.objects.get().title == "Yoga"


@pytest.mark.parametrize("title", ["Calendar", "Past", "Feed", "Import"])
def test_a_title_that_names_an_events_path_gets_a_slug_that_does_not(admin, title):
    event = authoring.create_event(
        admin, title=title, starts_at=datetime(2030, 1, 7, 18), ends_at=datetime(2030, 1, 7, 19),
        time_zone="Europe/Paris", visibility="public",
    )  # fmt: skip
    assert event.slug == f"{title.lower()}-event"


def test_a_reserved_slug_is_refused_by_field(admin):
    with pytest.raises(ValidationError) as refused:
        authoring.create_event(
            admin, title="Our calendar", slug="calendar", starts_at=datetime(2030, 1, 7, 18),
            ends_at=datetime(2030, 1, 7, 19), time_zone="Europe/Paris", visibility="public",
        )  # fmt: skip
    assert "slug" in refused.value.message_dict
