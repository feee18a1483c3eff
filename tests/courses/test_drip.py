"""Drip (issue 14, item 3): a module opens at midnight in the member's own time zone, on its
date or a number of days after the day they enrolled, whatever the daylight-saving clocks
do that night; a released enrollment is never locked, and a days-after module stays locked
for a member who has not enrolled."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courses import drip
from courses.models import Enrollment, Module


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(zone, *args):
    return datetime(*args, tzinfo=ZoneInfo(zone))


def days_after(days):
    return Module(title="Week 2", drip_days=days)


def on_date(day):
    return Module(title="Launch", drip_date=day)


def enrolled(at, released_at=None):
    return Enrollment(enrolled_at=at, released_at=released_at)


class Member:
    def __init__(self, time_zone):
        self.time_zone = time_zone


def test_the_members_zone_is_their_own_and_utc_without_one():
    assert drip.member_zone(Member("Pacific/Auckland")) == ZoneInfo("Pacific/Auckland")
    assert drip.member_zone(Member("")) == ZoneInfo("UTC")
    assert drip.member_zone(object()) == ZoneInfo("UTC")  # an anonymous visitor


def test_a_module_without_drip_is_never_locked():
    module = Module(title="Intro")
    zone = ZoneInfo("UTC")
    assert drip.opens_at(module, None, zone) is None
    assert drip.is_locked(module, None, zone, now=utc(2026, 1, 1)) is False
    assert drip.is_locked(module, enrolled(utc(2026, 1, 1)), zone, now=utc(2026, 1, 1)) is False


# --- Days after enrolling ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "enrolled_local", "opens_local"),
    [
        # 23:30 and 00:30 are an hour apart but on two days: the later one waits a day more.
        ("Pacific/Auckland", (2026, 6, 10, 23, 30), (2026, 6, 17)),
        ("Pacific/Auckland", (2026, 6, 11, 0, 30), (2026, 6, 18)),
        ("America/Los_Angeles", (2026, 6, 10, 23, 30), (2026, 6, 17)),
        ("America/Los_Angeles", (2026, 6, 11, 0, 30), (2026, 6, 18)),
    ],
)
def test_days_after_count_from_the_day_the_member_enrolled_where_they_are(
    zone, enrolled_local, opens_local
):
    enrollment = enrolled(local(zone, *enrolled_local).astimezone(UTC))
    opens = drip.opens_at(days_after(7), enrollment, ZoneInfo(zone))
    assert opens == local(zone, *opens_local)
    assert opens.utcoffset() == local(zone, *opens_local).utcoffset()
    just_before = opens - timedelta(microseconds=1)
    assert drip.is_locked(days_after(7), enrollment, ZoneInfo(zone), now=just_before)
    assert not drip.is_locked(days_after(7), enrollment, ZoneInfo(zone), now=opens)


def test_the_same_utc_moment_is_two_different_days_in_auckland_and_los_angeles():
    # 2026-06-10 11:30 UTC is 23:30 on the 10th in Auckland (UTC+12) and 04:30 on the 10th
    # in Los Angeles (UTC-7); 12:30 UTC is already the 11th in Auckland.
    module = days_after(1)
    before, after = enrolled(utc(2026, 6, 10, 11, 30)), enrolled(utc(2026, 6, 10, 12, 30))
    auckland, los_angeles = ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Los_Angeles")
    assert drip.opens_at(module, before, auckland) == utc(2026, 6, 10, 12)  # midnight NZST
    assert drip.opens_at(module, after, auckland) == utc(2026, 6, 11, 12)
    assert drip.opens_at(module, before, los_angeles) == utc(2026, 6, 11, 7)  # midnight PDT
    assert drip.opens_at(module, after, los_angeles) == utc(2026, 6, 11, 7)


def test_zero_days_opens_at_the_midnight_that_started_the_day_of_enrolling():
    enrollment = enrolled(utc(2026, 6, 10, 15))
    assert drip.opens_at(days_after(0), enrollment, ZoneInfo("UTC")) == utc(2026, 6, 10)
    assert not drip.is_locked(days_after(0), enrollment, ZoneInfo("UTC"), now=utc(2026, 6, 10, 15))


def test_a_days_after_module_is_locked_for_a_member_who_has_not_enrolled():
    zone = ZoneInfo("UTC")
    assert drip.opens_at(days_after(3), None, zone) is None  # it counts from enrolling
    assert drip.is_locked(days_after(3), None, zone, now=utc(2100, 1, 1))
    assert drip.is_locked(days_after(0), None, zone, now=utc(2100, 1, 1))


# --- On a date --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "opens_utc"),
    [
        ("Pacific/Kiritimati", utc(2026, 6, 30, 10)),  # UTC+14: the first to open
        ("Pacific/Auckland", utc(2026, 6, 30, 12)),
        ("UTC", utc(2026, 7, 1)),
        ("America/Los_Angeles", utc(2026, 7, 1, 7)),
        ("Pacific/Pago_Pago", utc(2026, 7, 1, 11)),  # UTC-11: among the last
    ],
)
def test_a_date_opens_at_midnight_of_that_date_where_the_member_is(zone, opens_utc):
    module = on_date(date(2026, 7, 1))
    opens = drip.opens_at(module, enrolled(utc(2026, 1, 1)), ZoneInfo(zone))
    assert opens == opens_utc
    assert opens.astimezone(ZoneInfo(zone)).timetuple()[:5] == (2026, 7, 1, 0, 0)
    for enrollment in (enrolled(utc(2026, 1, 1)), None):  # a date needs no enrollment
        locked = drip.is_locked(
            module, enrollment, ZoneInfo(zone), now=opens_utc - timedelta(seconds=1)
        )
        assert locked
        assert not drip.is_locked(module, enrollment, ZoneInfo(zone), now=opens_utc)


def test_enrolling_after_the_date_leaves_the_module_open():
    module = on_date(date(2026, 7, 1))
    enrollment = enrolled(utc(2026, 9, 1))
    assert not drip.is_locked(module, enrollment, ZoneInfo("UTC"), now=utc(2026, 9, 1))


# --- Daylight saving ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enrolled_utc", "opens_utc"),
    [
        # Spring forward on 2026-03-08 at 02:00 EST: midnight of the 8th is still EST (-5),
        # midnight of the 9th is EDT (-4).
        (utc(2026, 3, 7, 17), utc(2026, 3, 9, 4)),  # enrolled on the 7th (EST), 2 days
        # Fall back on 2026-11-01 at 02:00 EDT: midnight of the 2nd is EST (-5).
        (utc(2026, 10, 31, 16), utc(2026, 11, 2, 5)),  # enrolled on the 31st (EDT), 2 days
    ],
)
def test_days_after_across_a_daylight_saving_change_open_at_local_midnight(enrolled_utc, opens_utc):
    new_york = ZoneInfo("America/New_York")
    opens = drip.opens_at(days_after(2), enrolled(enrolled_utc), new_york)
    assert opens == opens_utc
    assert opens.astimezone(new_york).timetuple()[3:5] == (0, 0)


def test_a_date_across_the_spring_forward_opens_at_edt_midnight():
    new_york = ZoneInfo("America/New_York")
    assert drip.opens_at(on_date(date(2026, 3, 8)), None, new_york) == utc(2026, 3, 8, 5)
    assert drip.opens_at(on_date(date(2026, 3, 9)), None, new_york) == utc(2026, 3, 9, 4)
    assert drip.opens_at(on_date(date(2026, 11, 1)), None, new_york) == utc(2026, 11, 1, 4)
    assert drip.opens_at(on_date(date(2026, 11, 2)), None, new_york) == utc(2026, 11, 2, 5)


def test_enrolled_just_before_local_midnight_on_the_night_of_fall_back():
    # 23:30 EDT on Oct 31 (03:30 UTC Nov 1) is still the 31st where the member is.
    new_york = ZoneInfo("America/New_York")
    enrollment = enrolled(utc(2026, 11, 1, 3, 30))
    assert drip.opens_at(days_after(1), enrollment, new_york) == utc(2026, 11, 1, 4)
    assert drip.opens_at(days_after(2), enrollment, new_york) == utc(2026, 11, 2, 5)


@pytest.mark.parametrize(
    ("zone", "day", "first_moment"),
    [
        # Santiago skips from 00:00 to 01:00 (-04 to -03) on 2025-09-07: no local midnight.
        ("America/Santiago", date(2025, 9, 7), utc(2025, 9, 7, 4)),
        # Havana skips from 00:00 to 01:00 (-05 to -04) on 2025-03-09.
        ("America/Havana", date(2025, 3, 9), utc(2025, 3, 9, 5)),
    ],
)
def test_a_midnight_skipped_by_daylight_saving_opens_at_the_first_moment_after_the_gap(
    zone, day, first_moment
):
    where = ZoneInfo(zone)
    # The zone does skip that midnight (the premise of the test).
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=where)
    assert midnight.astimezone(UTC).astimezone(where).hour == 1
    opens = drip.opens_at(on_date(day), None, where)
    assert opens == first_moment
    assert opens.astimezone(where).timetuple()[:5] == (day.year, day.month, day.day, 1, 0)
    assert drip.is_locked(on_date(day), None, where, now=first_moment - timedelta(seconds=1))
    assert not drip.is_locked(on_date(day), None, where, now=first_moment)
    # Counted in days from enrolling, the same night gives the same moment.
    enrollment = enrolled(datetime.combine(day - timedelta(days=3), datetime.min.time(), where)
                          .replace(hour=12).astimezone(UTC))  # fmt: skip
    assert drip.opens_at(days_after(3), enrollment, where) == first_moment


# --- Released -----------------------------------------------------------------------------


@pytest.mark.parametrize("module", [days_after(30), on_date(date(2099, 1, 1))])
def test_a_released_enrollment_is_never_locked(module):
    enrollment = enrolled(utc(2026, 6, 1), released_at=utc(2026, 6, 1, 12))
    zone = ZoneInfo("Pacific/Auckland")
    assert drip.opens_at(module, enrollment, zone) is None
    assert drip.is_locked(module, enrollment, zone, now=utc(2026, 6, 1, 12)) is False
