"""The admins' event pages (events/views/manage.py): who gets them, the event form and its
repeat builder (the RRULE stored, an edit keeping or changing it), refusals on the form
(400 with the service's message under the field), cancelling and deleting after a question,
one date of a series (alone, or with the dates after it), importing an .ics file, the ways
in, and fixed query counts."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from community.models import AuditEntry
from events import recurrence
from events.models import Event, OccurrenceChange
from events.views.common import occurrence_key
from tests.factories import EventFactory, TierFactory
from tests.helpers import assert_constant_queries

from .test_authoring import png

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
CASES = Path(__file__).resolve().parent / "ical_cases"
MONDAY = datetime(2027, 1, 11, 18, 0)  # a Monday, 18:00 in Paris is 17:00 UTC (winter)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def url(name, *args):
    return reverse(f"events:{name}", args=args)


def form_data(**changes):
    """What the new-event form posts for a one-off Monday evening in Paris."""
    data = {
        "title": "Pottery night",
        "description": "Bring **clay**.",
        "starts_at": "2027-01-11T18:00",
        "ends_at": "2027-01-11T20:00",
        "time_zone": "Europe/Paris",
        "location": "The workshop",
        "online_url": "",
        "capacity": "",
        "visibility": "members",
        "required_tier": "",
        "freq": "",
        "interval": "1",
        "monthly_by": "date",
        "ends": "never",
        "until": "",
        "count": "",
    }
    return data | changes


def weekly(**changes):
    return form_data(freq="WEEKLY", interval="2", weekdays=["MO", "WE"], ends="count",
                     count="10", **changes)  # fmt: skip


def errors_of(response):
    return response.context["form"].errors


# --- Who gets the pages -----------------------------------------------------------------------


def _pages(event):
    start = occurrence_key(event.starts_at)
    return [
        url("manage_events"), url("manage_new_event"), url("manage_import"),
        url("manage_edit_event", event.pk), url("manage_cancel_event", event.pk),
        url("manage_delete_event", event.pk), url("manage_occurrence", event.pk, start),
        url("manage_cancel_occurrence", event.pk, start),
    ]  # fmt: skip


@pytest.mark.parametrize("persona", ["anonymous", "member", "paid_member", "moderator"])
def test_everyone_but_admins_gets_a_403(request, client, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    event = EventFactory(weekly=True)
    for page in _pages(event):
        assert client.get(page).status_code == 403, page
        assert client.post(page, form_data() | {"confirm": "yes"}).status_code == 403, page
    assert AuditEntry.objects.count() == 0
    assert Event.objects.alive().get().cancelled_at is None


def test_missing_deleted_and_one_off_occurrences_are_404(admin_client):
    gone = EventFactory(deleted=True)
    assert admin_client.get(url("manage_edit_event", gone.pk)).status_code == 404
    assert admin_client.get(url("manage_edit_event", 999_999)).status_code == 404
    one_off = EventFactory()
    key = occurrence_key(one_off.starts_at)
    assert admin_client.get(url("manage_occurrence", one_off.pk, key)).status_code == 404
    series = EventFactory(weekly=True)
    not_a_date = occurrence_key(series.starts_at + timedelta(days=1))
    assert admin_client.get(url("manage_occurrence", series.pk, not_a_date)).status_code == 404


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_upcoming_first_then_past_with_cancelled_marked(admin_client):
    EventFactory(title="Later one-off")
    EventFactory(title="Weekly club", weekly=True)
    EventFactory(title="Called off", cancelled=True)
    EventFactory(title="Last month", past=True)
    EventFactory(title=XSS, past=True)
    EventFactory(title="Gone", deleted=True)
    response = admin_client.get(url("manage_events"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Weekly club") < page.index("Past") < page.index("Last month")
    assert page.index("Later one-off") < page.index("Past")
    assert "Gone" not in page and XSS not in page and "&lt;script&gt;" in page
    assert "Cancelled" in page and "↻ Series" in page
    for event in Event.objects.alive():
        assert url("manage_edit_event", event.pk) in page
    assert url("manage_new_event") in page and url("manage_import") in page
    assert "New event" in page and "Import a calendar" in page


def test_the_past_list_pages_by_a_cursor(admin_client, monkeypatch):
    from events.views import manage

    monkeypatch.setattr(manage, "PAST_PAGE", 2)
    old = [EventFactory(title=f"Old {n}", past=True) for n in range(3)]
    for n, event in enumerate(old):  # Old 0 the oldest
        later = {name: F(name) + timedelta(hours=n) for name in ("starts_at", "ends_at")}
        Event.objects.filter(pk=event.pk).update(**later)
    first = admin_client.get(url("manage_events"))
    assert [e.title for e in first.context["past"]] == ["Old 2", "Old 1"]
    second = admin_client.get(first.context["older_url"])
    assert [e.title for e in second.context["past"]] == ["Old 0"]
    assert second.context["older_url"] is None and second.context["upcoming"] == []
    assert admin_client.get(url("manage_events") + "?cursor=nonsense").status_code == 404


def test_the_list_costs_the_same_for_more_events(admin_client):
    def grow(n):
        for index in range(n):
            EventFactory(weekly=index % 2 == 0, past=index % 3 == 0, paid=index % 4 == 0)

    grow(3)
    # Session and user (2), the upcoming events with their tier (1), their changes (1), the
    # past page (1), the sidebar (open reports, spaces: 2), the header's score (1).
    assert_constant_queries(
        lambda: admin_client.get(url("manage_events")), grow=lambda: grow(7), bound=8,
        warm_up=True,
    )  # fmt: skip


# --- The event form ---------------------------------------------------------------------------


def test_the_new_form_has_the_labels_and_the_admins_zone(admin_client, admin):
    admin.time_zone = "America/Chicago"
    admin.save(update_fields=["time_zone"])
    response = admin_client.get(url("manage_new_event"))
    page = response.content.decode()
    for label in ("Title", "Starts", "Ends", "Time zone", "Capacity", "Repeats", "Cover image",
                  "Online link"):  # fmt: skip
        assert f">{label}</label>" in page, label
    assert " All day</label>" in page
    for option in ("Does not repeat", "Daily", "Weekly", "Monthly"):
        assert f">{option}</option>" in page
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        assert f" {day}</label>" in page
    assert '<option value="America/Chicago" selected>' in page
    assert 'type="datetime-local"' in page and ">Create event</button>" in page
    assert "<script>" not in page.replace("<script src=", "")  # no inline script (the CSP)


def test_creating_a_one_off_event_lands_on_its_page(admin_client, admin):
    response = admin_client.post(url("manage_new_event"), form_data(capacity="12"))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == url("event", event.slug)
    assert (event.title, event.rrule, event.capacity, event.time_zone) == (
        "Pottery night", "", 12, "Europe/Paris")  # fmt: skip
    assert event.starts_at == datetime(2027, 1, 11, 17, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 1, 11, 19, tzinfo=UTC)
    assert event.description_html == "<p>Bring <strong>clay</strong>.</p>\n"
    assert AuditEntry.objects.filter(action="events.create", actor=admin).exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert "“Pottery night” is created." in page


def test_creating_a_weekly_series_stores_its_rule(admin_client):
    response = admin_client.post(url("manage_new_event"), weekly())
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.rrule == "FREQ=WEEKLY;COUNT=10;INTERVAL=2;BYDAY=MO,WE"
    starts = [o.starts_at for o in recurrence.occurrences(
        event, start=event.starts_at, end=event.starts_at + timedelta(days=400))]  # fmt: skip
    assert len(starts) == 10
    assert starts[:3] == [datetime(2027, 1, 11, 17, tzinfo=UTC),
                          datetime(2027, 1, 13, 17, tzinfo=UTC),
                          datetime(2027, 1, 25, 17, tzinfo=UTC)]  # fmt: skip


def test_creating_a_monthly_series_by_weekday_until_a_date(admin_client):
    data = form_data(starts_at="2027-01-12T18:00", ends_at="2027-01-12T19:00", freq="MONTHLY",
                     monthly_by="weekday", ends="until", until="2027-06-30")  # fmt: skip
    assert admin_client.post(url("manage_new_event"), data).status_code == 302
    assert Event.objects.get().rrule == "FREQ=MONTHLY;UNTIL=20270630T215959Z;BYDAY=2TU"


def test_an_all_day_event_takes_whole_days(admin_client):
    data = form_data(all_day="on", starts_at="2027-01-11T00:00", ends_at="2027-01-12T00:00")
    assert admin_client.post(url("manage_new_event"), data).status_code == 302
    event = Event.objects.get()
    assert event.all_day and event.duration == timedelta(days=2)


def test_a_cover_image_is_added_refused_when_not_an_image_and_removed(admin_client):
    data = form_data(cover=SimpleUploadedFile("notes.png", b"not an image", "image/png"))
    response = admin_client.post(url("manage_new_event"), data)
    assert response.status_code == 400 and "cover" in errors_of(response)
    data = form_data(cover=png())
    assert admin_client.post(url("manage_new_event"), data).status_code == 302
    event = Event.objects.get()
    assert event.cover and event.cover.width <= 1600
    page = admin_client.get(url("manage_edit_event", event.pk)).content.decode()
    assert "Remove the cover image" in page
    response = admin_client.post(url("manage_edit_event", event.pk), form_data(remove_cover="on"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert not event.cover


def test_the_edit_form_shows_the_builder_filled_from_the_rule(admin_client):
    admin_client.post(url("manage_new_event"), weekly())
    event = Event.objects.get()
    form = admin_client.get(url("manage_edit_event", event.pk)).context["form"]
    assert {name: form.initial[name] for name in
            ("freq", "interval", "weekdays", "ends", "count")} == {
        "freq": "WEEKLY", "interval": 2, "weekdays": ["MO", "WE"], "ends": "count", "count": 10,
    }  # fmt: skip
    assert form.initial["starts_at"] == MONDAY and form.initial["time_zone"] == "Europe/Paris"


def test_editing_keeps_the_rule_when_only_the_title_changes(admin_client):
    admin_client.post(url("manage_new_event"), weekly())
    event = Event.objects.get()
    response = admin_client.post(url("manage_edit_event", event.pk), weekly(title="Clay club"))
    assert response.status_code == 302 and response["Location"] == url("event", event.slug)
    event.refresh_from_db()
    assert event.title == "Clay club"
    assert event.rrule == "FREQ=WEEKLY;COUNT=10;INTERVAL=2;BYDAY=MO,WE"
    assert AuditEntry.objects.get(action="events.update").reason == "title"


def test_editing_changes_the_rule_and_can_stop_the_repeat(admin_client):
    admin_client.post(url("manage_new_event"), weekly())
    event = Event.objects.get()
    data = form_data(freq="DAILY", interval="3", ends="never")
    assert admin_client.post(url("manage_edit_event", event.pk), data).status_code == 302
    event.refresh_from_db()
    assert event.rrule == "FREQ=DAILY;INTERVAL=3"
    assert admin_client.post(url("manage_edit_event", event.pk), form_data()).status_code == 302
    event.refresh_from_db()
    assert event.rrule == "" and not event.is_recurring


def test_an_edit_with_nothing_changed_saves_nothing(admin_client):
    admin_client.post(url("manage_new_event"), weekly())
    event = Event.objects.get()
    response = admin_client.post(url("manage_edit_event", event.pk), weekly())
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="events.update").exists()


def test_a_rule_the_builder_cannot_show_is_shown_and_kept(admin_client):
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"  # the last weekday of the month
    event = EventFactory(rrule=rule, starts_at=datetime(2027, 1, 29, 18, tzinfo=UTC))
    response = admin_client.get(url("manage_edit_event", event.pk))
    page = response.content.decode()
    assert response.context["form"].initial["freq"] == "keep" and rule in page
    data = form_data(starts_at="2027-01-29T18:00", ends_at="2027-01-29T19:00", time_zone="UTC",
                     freq="keep", title="Month end")  # fmt: skip
    assert admin_client.post(url("manage_edit_event", event.pk), data).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.rrule) == ("Month end", rule)
    data |= {"freq": "MONTHLY", "monthly_by": "date"}
    assert admin_client.post(url("manage_edit_event", event.pk), data).status_code == 302
    event.refresh_from_db()
    assert event.rrule == "FREQ=MONTHLY;BYMONTHDAY=29"


def test_a_plain_weekly_rule_is_one_the_builder_shows(admin_client):
    event = EventFactory(weekly=True, title="Standup", description="", location="")
    form = admin_client.get(url("manage_edit_event", event.pk)).context["form"]
    start = form.initial["starts_at"]
    assert form.initial["freq"] == "WEEKLY" and form.kept_rule == ""
    assert form.initial["weekdays"] == [("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]]
    # Posted back as shown, the rule says the same: nothing changes.
    data = form_data(title="Standup", description="", location="", time_zone="UTC",
                     starts_at=f"{start:%Y-%m-%dT%H:%M}",
                     ends_at=f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}",
                     freq="WEEKLY", weekdays=form.initial["weekdays"])  # fmt: skip
    assert admin_client.post(url("manage_edit_event", event.pk), data).status_code == 302
    assert Event.objects.get().rrule == "FREQ=WEEKLY"
    assert not AuditEntry.objects.filter(action="events.update").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": "2027-01-11T17:00"}, "ends_at", "An event ends after it starts."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "“Mars/Olympus” is not a known time zone"),
        ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
        ({"capacity": "-3"}, "capacity", "greater than or equal to"),
        ({"starts_at": ""}, "starts_at", "When does it start?"),
        ({"starts_at": "tomorrow"}, "starts_at", "Enter a valid date/time."),
        ({"online_url": "not a link"}, "online_url", "Enter a valid URL."),
        ({"visibility": "paid"}, "required_tier", "needs the tier"),
        ({"title": ""}, "title", "This field cannot be blank."),
        ({"freq": "WEEKLY", "weekdays": ["TU"]}, "weekdays", "Include the weekday of the first"),
        ({"freq": "DAILY", "interval": "0"}, "interval", "Repeat every 1 or more"),
        ({"freq": "DAILY", "ends": "count", "count": "0"}, "count", "At least 1 occurrence."),
        ({"freq": "DAILY", "ends": "until", "until": ""}, "until", "Pick the last day"),
        ({"freq": "DAILY", "ends": "until", "until": "2027-01-01"}, "until", "The last day is"),
        ({"freq": "DAILY", "ends": "count", "count": "20000"}, "freq", "at most 10,000"),
        ({"freq": "HOURLY"}, "freq", "Select a valid choice."),
    ],
)
def test_bad_input_answers_400_with_the_message_under_its_field(
    admin_client, changes, field, message
):
    response = admin_client.post(url("manage_new_event"), form_data(**changes))
    assert response.status_code == 400
    assert field in errors_of(response), errors_of(response)
    assert message in " ".join(errors_of(response)[field])
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert not Event.objects.exists()


def test_a_refused_edit_changes_nothing(admin_client):
    event = EventFactory(title="Keep me", capacity=5)
    data = form_data(title="Changed", capacity="0", time_zone="UTC")
    response = admin_client.post(url("manage_edit_event", event.pk), data)
    assert response.status_code == 400 and "capacity" in errors_of(response)
    event.refresh_from_db()
    assert (event.title, event.capacity) == ("Keep me", 5)
    assert "Edit “Keep me”" in response.content.decode()


def test_a_paid_event_with_its_tier(admin_client):
    tier = TierFactory(name="Gold")
    data = form_data(visibility="paid", required_tier=str(tier.pk))
    assert admin_client.post(url("manage_new_event"), data).status_code == 302
    assert Event.objects.get().required_tier == tier


def test_the_forms_cost_the_same_for_more_events_and_tiers(admin_client):
    event = EventFactory(weekly=True, paid=True)

    def grow():
        for _ in range(5):
            TierFactory()
            EventFactory(weekly=True)

    # Session and user (2), the sidebar (open reports, spaces: 2), the tiers for the select
    # (1); the edit form also reads the event with its tier (1), a date's form the event and
    # the series' changes (2).
    assert_constant_queries(
        {"new": lambda: admin_client.get(url("manage_new_event")),
         "import": lambda: admin_client.get(url("manage_import")),
         "edit": lambda: admin_client.get(url("manage_edit_event", event.pk)),
         "date": lambda: admin_client.get(
             url("manage_occurrence", event.pk, occurrence_key(event.starts_at)))},
        grow=grow,
        bound={"new": 6, "import": 6, "edit": 7, "date": 8},  # with the header's score (1)
        warm_up=True,
    )  # fmt: skip


# --- Cancel and delete ------------------------------------------------------------------------


def test_cancelling_an_event_asks_first(admin_client):
    event = EventFactory(title="Picnic")
    response = admin_client.get(url("manage_cancel_event", event.pk))
    assert response.status_code == 200 and "Cancel the event “Picnic”?" in response.content.decode()
    assert admin_client.post(url("manage_cancel_event", event.pk)).status_code == 200
    assert Event.objects.get().cancelled_at is None
    response = admin_client.post(url("manage_cancel_event", event.pk), {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == url("manage_events")
    assert Event.objects.get().cancelled_at is not None
    assert "Cancelled" in admin_client.get(url("manage_events")).content.decode()


def test_deleting_an_event_asks_first(admin_client):
    event = EventFactory(title="Picnic")
    response = admin_client.post(url("manage_delete_event", event.pk))
    assert response.status_code == 200 and "Delete the event “Picnic”?" in response.content.decode()
    assert Event.objects.get().deleted_at is None
    response = admin_client.post(url("manage_delete_event", event.pk), {"confirm": "yes"})
    assert response.status_code == 302
    assert Event.objects.get().deleted_at is not None
    assert admin_client.get(url("manage_edit_event", event.pk)).status_code == 404


# --- One date of a series ---------------------------------------------------------------------


@pytest.fixture
def series(admin_client):
    """Weekly on Mondays at 18:00 in Paris, 6 dates, made through the form."""
    data = form_data(title="Clay club", freq="WEEKLY", weekdays=["MO"], ends="count", count="6")
    admin_client.post(url("manage_new_event"), data)
    return Event.objects.get()


def _date_form(event, original, **changes):
    """What a date's form posts unchanged (times in Paris), with `changes`."""
    paris = original.astimezone(recurrence.validate_time_zone("Europe/Paris"))
    start = paris.replace(tzinfo=None)
    return form_data(title=event.title, scope="only", freq="keep",
                     starts_at=f"{start:%Y-%m-%dT%H:%M}",
                     ends_at=f"{start + timedelta(hours=2):%Y-%m-%dT%H:%M}") | changes  # fmt: skip


def test_a_date_page_shows_the_date_and_its_form(admin_client, series):
    second = series.starts_at + timedelta(days=7)
    response = admin_client.get(url("manage_occurrence", series.pk, occurrence_key(second)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Only this occurrence" in page and "This and following" in page
    assert "Cancel this occurrence" in page
    assert response.context["form"].initial["starts_at"] == datetime(2027, 1, 18, 18)


def test_changing_only_one_date(admin_client, series):
    second = series.starts_at + timedelta(days=7)
    page = url("manage_occurrence", series.pk, occurrence_key(second))
    data = _date_form(series, second, starts_at="2027-01-18T19:00", ends_at="2027-01-18T21:00",
                      title="Clay club: glazing")  # fmt: skip
    response = admin_client.post(page, data)
    assert response.status_code == 302
    assert response["Location"] == url("occurrence", series.slug, occurrence_key(second))
    change = OccurrenceChange.objects.get()
    assert (change.original_start, change.starts_at, change.title, change.location) == (
        second, second + timedelta(hours=1), "Clay club: glazing", "")  # fmt: skip
    series.refresh_from_db()
    assert series.title == "Clay club" and "COUNT=6" in series.rrule


def test_an_unchanged_date_form_changes_nothing(admin_client, series):
    second = series.starts_at + timedelta(days=7)
    page = url("manage_occurrence", series.pk, occurrence_key(second))
    assert admin_client.post(page, _date_form(series, second)).status_code == 302
    assert not OccurrenceChange.objects.exists()


def test_a_date_ending_before_it_starts_is_refused_on_the_form(admin_client, series):
    second = series.starts_at + timedelta(days=7)
    page = url("manage_occurrence", series.pk, occurrence_key(second))
    response = admin_client.post(page, _date_form(series, second, ends_at="2027-01-18T17:00"))
    assert response.status_code == 400
    assert "An occurrence ends after it starts." in errors_of(response)["ends_at"]
    assert not OccurrenceChange.objects.exists()


def test_changing_this_and_following_splits_the_series(admin_client, series):
    third = series.starts_at + timedelta(days=14)
    page = url("manage_occurrence", series.pk, occurrence_key(third))
    data = _date_form(series, third, scope="following", title="Clay club (new room)",
                      location="Room 2", capacity="8")  # fmt: skip
    response = admin_client.post(page, data)
    later = Event.objects.exclude(pk=series.pk).get()
    assert response.status_code == 302 and response["Location"] == url("event", later.slug)
    assert (later.title, later.location, later.capacity, later.split_from) == (
        "Clay club (new room)", "Room 2", 8, series)  # fmt: skip
    assert later.starts_at == third and "COUNT=4" in later.rrule
    series.refresh_from_db()
    assert series.title == "Clay club" and "UNTIL=" in series.rrule
    assert [o.starts_at for o in recurrence.occurrences(
        series, start=series.starts_at, end=series.starts_at + timedelta(days=60))] == [
        series.starts_at, series.starts_at + timedelta(days=7)]  # fmt: skip


def test_this_and_following_with_a_new_repeat(admin_client, series):
    third = series.starts_at + timedelta(days=14)
    page = url("manage_occurrence", series.pk, occurrence_key(third))
    data = _date_form(series, third, scope="following", freq="DAILY", ends="count", count="3")
    assert admin_client.post(page, data).status_code == 302
    assert Event.objects.exclude(pk=series.pk).get().rrule == "FREQ=DAILY;COUNT=3"


def test_cancelling_one_date_asks_first(admin_client, series):
    second = series.starts_at + timedelta(days=7)
    cancel = url("manage_cancel_occurrence", series.pk, occurrence_key(second))
    response = admin_client.post(cancel)
    assert response.status_code == 200 and "Cancel this occurrence" in response.content.decode()
    assert not OccurrenceChange.objects.exists()
    response = admin_client.post(cancel, {"confirm": "yes"})
    assert response.status_code == 302
    assert recurrence.occurrence_at(series, second).cancelled
    assert not recurrence.occurrence_at(series, series.starts_at).cancelled
    page = admin_client.get(url("manage_occurrence", series.pk, occurrence_key(second)))
    assert "This date is cancelled" in page.content.decode()


# --- Import -----------------------------------------------------------------------------------


def _upload(name):
    return SimpleUploadedFile(name, (CASES / name).read_bytes(), content_type="text/calendar")


def test_importing_a_calendar_shows_what_came_in(admin_client):
    response = admin_client.post(
        url("manage_import"),
        {"file": _upload("rie__three_events_one_edited.ics"), "visibility": "public"},
    )
    assert response.status_code == 200
    imported = response.context["imported"]
    assert imported and all(e.visibility == "public" for e in imported)
    page = response.content.decode()
    assert f"Imported {len(imported)} event" in page
    for event in imported:
        assert url("manage_edit_event", event.pk) in page
    assert Event.objects.count() == len(imported)


def test_a_file_that_is_not_a_calendar_is_refused(admin_client):
    upload = SimpleUploadedFile("notes.ics", b"just some text\n", content_type="text/calendar")
    response = admin_client.post(url("manage_import"), {"file": upload, "visibility": "members"})
    assert response.status_code == 400 and "file" in errors_of(response)
    assert not Event.objects.exists()


def test_a_file_too_big_is_refused(admin_client, monkeypatch):
    from events import ical

    monkeypatch.setattr(ical, "MAX_IMPORT_BYTES", 100)
    response = admin_client.post(url("manage_import"), {
        "file": _upload("rie__three_events_one_edited.ics"), "visibility": "members"})  # fmt: skip
    assert response.status_code == 400 and "file" in errors_of(response)
    assert not Event.objects.exists()


def test_an_import_of_too_many_dates_names_what_it_skipped(admin_client):
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:many\r\n"
        b"SUMMARY:Every day forever-ish\r\nDTSTART:20270101T100000Z\r\n"
        b"DTEND:20270101T110000Z\r\nRRULE:FREQ=DAILY;COUNT=100000\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    upload = SimpleUploadedFile("many.ics", body, content_type="text/calendar")
    response = admin_client.post(url("manage_import"), {"file": upload, "visibility": "members"})
    page = response.content.decode()
    assert "Nothing was imported" in page and "at most 10,000" in page
    assert not Event.objects.exists()


# --- The ways in ------------------------------------------------------------------------------


def test_admins_see_the_edit_links_on_an_event_page(admin_client, client, member):
    series = EventFactory(weekly=True)
    key = occurrence_key(series.starts_at + timedelta(days=7))
    page = admin_client.get(url("occurrence", series.slug, key)).content.decode()
    assert url("manage_edit_event", series.pk) in page
    assert url("manage_occurrence", series.pk, key) in page and "Edit this occurrence" in page
    one_off = EventFactory()
    page = admin_client.get(url("event", one_off.slug)).content.decode()
    assert url("manage_edit_event", one_off.pk) in page and "Edit this occurrence" not in page
    client.force_login(member)
    page = client.get(url("occurrence", series.slug, key)).content.decode()
    assert "/events/manage/" not in page


def test_admins_see_manage_events_on_the_list_and_in_the_sidebar(admin_client, client, member):
    page = admin_client.get(url("list")).content.decode()
    assert page.count(f'href="{url("manage_events")}"') == 2  # the list's button, the sidebar
    client.force_login(member)
    assert url("manage_events") not in client.get(url("list")).content.decode()


def test_the_reserved_manage_path_wins_over_an_event_slug(admin_client):
    EventFactory(slug="manage", title="Tricky")
    assert admin_client.get("/events/manage/").context["section"] == "events"
