"""When an event happens: its occurrences in a window, with cancelled and moved ones, the
wall-clock time kept across daylight saving, and the rules authoring refuses."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import recurrence
from events.models import OccurrenceChange
from tests.factories import EventFactory, OccurrenceChangeFactory

PARIS = ZoneInfo("Europe/Paris")


def _paris(*args):
    return datetime(*args, tzinfo=PARIS)


def _event(starts_at, *, hours=1, rrule="", **fields):
    """An unsaved event in Paris (its changes are passed to the functions explicitly)."""
    return EventFactory.build(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        time_zone="Europe/Paris",
        rrule=rrule,
        **fields,
    )


def _cancel(event, original_start):
    return OccurrenceChange(event=event, original_start=original_start, cancelled_at=timezone.now())


def _move(event, original_start, starts_at, **fields):
    return OccurrenceChange(
        event=event,
        original_start=original_start,
        starts_at=starts_at,
        ends_at=starts_at + event.duration,
        **fields,
    )


def _starts(occurrences):
    return [occurrence.starts_at for occurrence in occurrences]


def test_a_weekly_event_keeps_its_wall_clock_time_across_daylight_saving():
    event = _event(_paris(2026, 3, 19, 18), rrule="FREQ=WEEKLY")
    listed = recurrence.occurrences(
        event, start=event.starts_at, end=_paris(2026, 4, 3), changes=[]
    )
    assert [o.starts_at.astimezone(PARIS).hour for o in listed] == [18, 18, 18]
    # Paris moves to summer time on 29 March: 17:00 UTC, then 16:00 UTC.
    assert [o.starts_at.hour for o in listed] == [17, 17, 16]
    assert all(
        o.starts_at.tzinfo == UTC and o.ends_at - o.starts_at == timedelta(hours=1) for o in listed
    )


def test_an_all_day_event_lasts_its_local_day_across_daylight_saving():
    event = _event(_paris(2026, 3, 28), hours=24, rrule="FREQ=DAILY;COUNT=3", all_day=True)
    listed = recurrence.occurrences(
        event, start=event.starts_at, end=_paris(2026, 4, 1), changes=[]
    )
    assert [(o.starts_at.astimezone(PARIS), o.ends_at.astimezone(PARIS)) for o in listed] == [
        (_paris(2026, 3, 28), _paris(2026, 3, 29)),
        (_paris(2026, 3, 29), _paris(2026, 3, 30)),
        (_paris(2026, 3, 30), _paris(2026, 3, 31)),
    ]


def test_a_window_on_a_daily_rule_without_end_lists_only_that_window():
    event = _event(_paris(2020, 1, 1, 9), rrule="FREQ=DAILY")
    listed = recurrence.occurrences(
        event, start=_paris(2026, 6, 1), end=_paris(2026, 6, 8), changes=[]
    )
    assert _starts(listed) == [_paris(2026, 6, day, 9) for day in range(1, 8)]


def test_a_very_wide_window_is_capped():
    event = _event(_paris(2020, 1, 1, 9), rrule="FREQ=DAILY")
    listed = recurrence.occurrences(
        event, start=_paris(2020, 1, 1), end=_paris(2040, 1, 1), changes=[]
    )
    assert len(listed) == recurrence.MAX_OCCURRENCES_PER_WINDOW
    assert listed[0].starts_at == event.starts_at


def test_an_occurrence_still_running_at_the_window_start_is_listed():
    event = _event(_paris(2026, 3, 2, 22), hours=3, rrule="FREQ=WEEKLY")
    listed = recurrence.occurrences(
        event, start=_paris(2026, 3, 10), end=_paris(2026, 3, 11), changes=[]
    )
    assert _starts(listed) == [_paris(2026, 3, 9, 22)]


def test_a_one_off_event_has_one_occurrence_only_in_its_window():
    event = _event(_paris(2026, 3, 2, 18))
    (only,) = recurrence.occurrences(
        event, start=_paris(2026, 3, 1), end=_paris(2026, 3, 3), changes=[]
    )
    assert (only.original_start, only.starts_at, only.cancelled) == (
        event.starts_at,
        event.starts_at,
        False,
    )
    assert (
        recurrence.occurrences(event, start=_paris(2026, 3, 3), end=_paris(2026, 3, 4), changes=[])
        == []
    )


def test_a_cancelled_occurrence_is_listed_as_cancelled():
    event = _event(_paris(2026, 3, 2, 18), rrule="FREQ=WEEKLY;COUNT=3")
    listed = recurrence.occurrences(
        event,
        start=event.starts_at,
        end=_paris(2026, 4, 1),
        changes=[_cancel(event, _paris(2026, 3, 9, 18))],
    )
    assert [(o.starts_at, o.cancelled) for o in listed] == [
        (_paris(2026, 3, 2, 18), False),
        (_paris(2026, 3, 9, 18), True),
        (_paris(2026, 3, 16, 18), False),
    ]


def test_every_occurrence_of_a_cancelled_event_is_cancelled():
    event = _event(_paris(2026, 3, 2, 18), rrule="FREQ=WEEKLY;COUNT=2", cancelled_at=timezone.now())
    listed = recurrence.occurrences(
        event, start=event.starts_at, end=_paris(2026, 4, 1), changes=[]
    )
    assert [o.cancelled for o in listed] == [True, True]


def test_a_moved_occurrence_shows_where_it_moved_to_even_from_outside_the_window():
    event = _event(_paris(2026, 1, 5, 18), rrule="FREQ=WEEKLY")
    moved = _move(event, _paris(2026, 3, 30, 18), _paris(2026, 3, 4, 20), title="Special")
    march_first_week = recurrence.occurrences(
        event, start=_paris(2026, 3, 2), end=_paris(2026, 3, 9), changes=[moved]
    )
    assert [(o.starts_at, o.original_start, o.title) for o in march_first_week] == [
        (_paris(2026, 3, 2, 18), _paris(2026, 3, 2, 18), event.title),
        (_paris(2026, 3, 4, 20), _paris(2026, 3, 30, 18), "Special"),
    ]
    its_old_week = recurrence.occurrences(
        event, start=_paris(2026, 3, 30), end=_paris(2026, 4, 6), changes=[moved]
    )
    assert its_old_week == []


def test_a_change_on_a_date_the_rule_does_not_give_is_ignored():
    event = _event(_paris(2026, 3, 2, 18), rrule="FREQ=WEEKLY")
    stray = _move(event, _paris(2026, 3, 3, 18), _paris(2026, 3, 4, 18))
    listed = recurrence.occurrences(
        event, start=_paris(2026, 3, 1), end=_paris(2026, 3, 8), changes=[stray]
    )
    assert _starts(listed) == [_paris(2026, 3, 2, 18)]


def test_extra_dates_join_the_rule_and_a_duplicate_counts_once():
    event = _event(
        _paris(2026, 3, 2, 18),
        rrule="FREQ=WEEKLY;COUNT=2",
        rdates=["2026-03-05T17:00:00+00:00", "2026-03-09T17:00:00+00:00"],
    )
    listed = recurrence.occurrences(
        event, start=event.starts_at, end=_paris(2026, 4, 1), changes=[]
    )
    assert _starts(listed) == [
        _paris(2026, 3, 2, 18),
        _paris(2026, 3, 5, 18),
        _paris(2026, 3, 9, 18),
    ]


def test_a_date_until_includes_its_whole_day():
    event = _event(_paris(2026, 3, 2, 18), rrule="FREQ=WEEKLY;UNTIL=20260316")
    listed = recurrence.occurrences(
        event, start=event.starts_at, end=_paris(2027, 1, 1), changes=[]
    )
    assert _starts(listed)[-1] == _paris(2026, 3, 16, 18)
    assert len(listed) == 3


def test_occurrence_at_says_whether_an_occurrence_exists():
    event = _event(_paris(2026, 3, 2, 18), rrule="FREQ=WEEKLY;COUNT=3")
    cancelled = _cancel(event, _paris(2026, 3, 9, 18))
    found = recurrence.occurrence_at(event, _paris(2026, 3, 16, 18), changes=[cancelled])
    assert found.starts_at == _paris(2026, 3, 16, 18) and not found.cancelled
    assert recurrence.occurrence_at(event, _paris(2026, 3, 9, 18), changes=[cancelled]).cancelled
    assert recurrence.occurrence_at(event, _paris(2026, 3, 16, 19), changes=[]) is None
    assert recurrence.occurrence_at(event, _paris(2026, 3, 23, 18), changes=[]) is None


def test_next_occurrence_skips_cancelled_ones_and_follows_a_move():
    event = _event(_paris(2026, 3, 2, 18), rrule="FREQ=WEEKLY")
    changes = [
        _cancel(event, _paris(2026, 3, 9, 18)),
        _move(event, _paris(2026, 3, 16, 18), _paris(2026, 3, 14, 10)),
    ]
    after = _paris(2026, 3, 3)
    assert recurrence.next_occurrence(event, after, changes=changes).starts_at == _paris(
        2026, 3, 14, 10
    )
    assert recurrence.next_occurrence(event, _paris(2026, 3, 15), changes=changes).starts_at == (
        _paris(2026, 3, 23, 18)
    )
    ended = _event(_paris(2026, 3, 2, 18), rrule="FREQ=WEEKLY;COUNT=2")
    assert recurrence.next_occurrence(ended, _paris(2026, 3, 10), changes=[]) is None


@pytest.mark.django_db
def test_occurrences_read_the_saved_changes(django_assert_num_queries):
    change = OccurrenceChangeFactory(
        event__starts_at=_paris(2026, 3, 2, 18), event__ends_at=_paris(2026, 3, 2, 19)
    )
    event = change.event
    with django_assert_num_queries(1):
        listed = recurrence.occurrences(event, start=event.starts_at, end=_paris(2026, 3, 17))
    assert [o.cancelled for o in listed] == [False, True, False]


@pytest.mark.django_db
def test_occurrences_of_several_events_read_their_changes_in_one_query(
    django_assert_num_queries,
):
    def listed(count):
        events = [
            OccurrenceChangeFactory(
                event__starts_at=_paris(2026, 3, 2, 18), event__ends_at=_paris(2026, 3, 2, 19)
            ).event
            for _ in range(count)
        ]
        # One query: the changes of all the events.
        with django_assert_num_queries(1):
            return recurrence.occurrences_of(
                events, start=_paris(2026, 3, 1), end=_paris(2026, 3, 17)
            )

    few, more = listed(2), listed(10)
    assert len(few) == 2 * 3 and len(more) == 10 * 3
    assert sum(o.cancelled for o in more) == 10
    assert _starts(more) == sorted(_starts(more))


# --- validate_recurrence --------------------------------------------------------------------


def _validate(rrule, *, starts_at=None, time_zone="Europe/Paris", rdates=()):
    recurrence.validate_recurrence(
        rrule=rrule,
        starts_at=starts_at or _paris(2026, 3, 2, 18),
        time_zone=time_zone,
        rdates=rdates,
    )


@pytest.mark.parametrize(
    "rrule",
    [
        "",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=DAILY;UNTIL=20260401T000000Z",
    ],
)
def test_sensible_rules_are_accepted(rrule):
    _validate(rrule)


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        ("FREQ=SOMETIMES", "cannot be read"),
        ("every monday", "cannot be read"),
        ("FREQ=WEEKLY;BYDAY=XX", "cannot be read"),
        ("RRULE:FREQ=WEEKLY\nEXRULE:FREQ=DAILY", "cannot be read"),
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MINUTELY;COUNT=5", "at most daily"),
        ("FREQ=SECONDLY", "at most daily"),
        ("FREQ=WEEKLY;UNTIL=20260101T000000Z", "ends (UNTIL) before"),
        ("FREQ=DAILY;COUNT=10001", "at most 10,000"),
        ("FREQ=DAILY;UNTIL=20600101T000000Z", "at most 10,000"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never gives a date"),
        ("FREQ=WEEKLY;COUNT=0", "never gives a date"),
    ],
)
def test_bad_rules_are_refused_on_the_rrule_field(rrule, message):
    begun = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        _validate(rrule)
    (error,) = refused.value.message_dict["rrule"]
    assert message in error
    # "30 February" must not make dateutil scan to the year 9999.
    assert time.monotonic() - begun < 1


def test_an_unknown_time_zone_is_refused_on_the_time_zone_field():
    for zone in ("Mars/Olympus_Mons", "", "../../etc/passwd", "GMT Standard Time"):
        with pytest.raises(ValidationError) as refused:
            _validate("FREQ=WEEKLY", time_zone=zone)
        assert list(refused.value.message_dict) == ["time_zone"]
    assert recurrence.validate_time_zone("America/New_York") == ZoneInfo("America/New_York")


def test_unreadable_extra_dates_are_refused():
    with pytest.raises(ValidationError) as refused:
        _validate("", rdates=["next tuesday"])
    assert "cannot be read" in refused.value.message_dict["rrule"][0]


def test_a_rule_starting_far_in_the_past_expands_a_window_today_quickly():
    event = _event(datetime(1990, 1, 1, 9, tzinfo=UTC), rrule="FREQ=DAILY")
    begun = time.monotonic()
    listed = recurrence.occurrences(
        event,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 2, 1, tzinfo=UTC),
        changes=[],
    )
    assert len(listed) == 31
    assert time.monotonic() - begun < 1
