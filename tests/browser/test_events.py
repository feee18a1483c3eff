"""Served by daphne: an admin creates a weekly event with two seats on the form; three
members answer "going" to its first date and the third is waitlisted; when the first
withdraws, the third's open page shows them going without a reload, and the month view
shows every date of the series."""

import json
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, Rsvp
from events.views.common import occurrence_key
from tests.factories import AdminFactory, UserFactory

from .conftest import DESKTOP, PHONE, sign_in
from .test_live_community import wait_live

TITLE = "Open studio night"
# The event's zone differs from the members' (UTC, the factory's): the pages must convert.
EVENT_ZONE = ZoneInfo("Europe/Berlin")
MEMBER_ZONE = ZoneInfo("UTC")
WALL_CLOCK = time(18, 30)
LENGTH = timedelta(hours=2)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def both_widths(page, screenshot, name):
    # From the top: scrolled down, the sticky header lands mid-page in a full-page shot.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def first_start():
    """18:30 in the event's zone, ten days from now: in the future whatever the clock."""
    day = timezone.now().astimezone(EVENT_ZONE).date() + timedelta(days=10)
    return datetime.combine(day, WALL_CLOCK)  # naive: wall-clock in EVENT_ZONE


def hours(begin):
    """A date's times as the event page writes them: "18:30 to 20:30", with an en dash."""
    return f"{begin:%H:%M} \N{EN DASH} {begin + LENGTH:%H:%M}"


def weekly_starts(start, *, until):
    """The series' starts (aware, UTC) up to `until`: the same wall-clock time each week in
    the event's zone, across any daylight-saving change."""
    starts, moment = [], start
    while moment.replace(tzinfo=EVENT_ZONE) < until:
        starts.append(moment.replace(tzinfo=EVENT_ZONE).astimezone(UTC))
        moment += timedelta(days=7)
    return starts


def create_weekly_event(page, base, start, screenshot):
    """The admin's form: every week on the first date's weekday, two seats, in EVENT_ZONE."""
    page.goto(f"{base}/events/manage/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New event")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill("Bring your **own** clay.")
    page.get_by_label("Starts", exact=True).fill(f"{start:%Y-%m-%dT%H:%M}")
    page.get_by_label("Ends", exact=True).fill(f"{start + LENGTH:%Y-%m-%dT%H:%M}")
    page.get_by_label("Time zone", exact=True).select_option(str(EVENT_ZONE))
    page.get_by_label("Location", exact=True).fill("The studio, Hall 2")
    page.get_by_label("Capacity", exact=True).fill("2")
    page.get_by_label("Repeats", exact=True).select_option(label="Weekly")
    page.get_by_label(WEEKDAY_LABELS[start.weekday()], exact=True).check()
    both_widths(page, screenshot, "events-00-create-form")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{TITLE}” is created.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    event = Event.objects.get(title=TITLE)
    assert event.rrule == f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[start.weekday()]}"
    assert (event.capacity, event.time_zone) == (2, str(EVENT_ZONE))
    assert event.starts_at == start.replace(tzinfo=EVENT_ZONE)
    return event


def month_after(moment):
    """The first instant of the month after `moment`'s, in the members' zone."""
    following = moment.replace(day=1) + timedelta(days=32)
    return datetime(following.year, following.month, 1, tzinfo=MEMBER_ZONE)


def watch_subscriptions(page):
    """The topics the page's socket has been told it joined ({"type": "subscribed"})."""
    joined = set()

    def on_frame(payload):
        message = json.loads(payload) if isinstance(payload, str) else {}
        if message.get("type") == "subscribed":
            joined.add(message["topic"])

    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))
    return joined


def wait_subscribed(page, joined, topic):
    """wait_live, then the server's word that the socket is in the topic's group: live.js
    marks the page connected when it *sends* its subscriptions, before the server checks
    access and joins the group."""
    wait_live(page)
    for _ in range(100):
        if topic in joined:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the page's socket never joined {topic}")


def member_page(browser, console, base, member):
    page = console.attach(browser.new_context(viewport=DESKTOP).new_page())
    sign_in(page, base, member)
    return page


def answer(page, button, state):
    page.locator("#event-rsvp").get_by_role("button", name=button, exact=True).click()
    expect(page.locator("#event-rsvp")).to_contain_text(state)


def seats(page):
    return page.locator("#event-attendees .event-seats")


def people(page):
    return page.locator("#event-attendees .event-person > span:not(.avatar)")


def statuses(event, start):
    rows = Rsvp.objects.filter(event=event, occurrence_start=start)
    return dict(rows.values_list("user__display_name", "status"))


def test_a_waitlisted_member_is_promoted_live(daphne_server, browser, console, screenshot):
    base = daphne_server
    admin = AdminFactory(display_name="Ada Admin")
    ana, ben, cleo = (UserFactory(display_name=name) for name in ("Ana", "Ben", "Cleo"))
    start = first_start()
    admin_page = member_page(browser, console, base, admin)
    event = create_weekly_event(admin_page, base, start, screenshot)
    first = start.replace(tzinfo=EVENT_ZONE)
    shown_first = first.astimezone(MEMBER_ZONE)
    url = f"{base}/events/{event.slug}/{occurrence_key(first)}/"

    # Ana and Ben take the two seats.
    ana_page = member_page(browser, console, base, ana)
    ana_page.goto(url)
    expect(ana_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    when = ana_page.locator(".event-when")  # the member's time, and the event's own
    expect(when).to_contain_text(hours(shown_first))
    expect(when).to_contain_text(f"{hours(start)} in {EVENT_ZONE}")
    expect(seats(ana_page)).to_have_text("2 seats left of 2")
    answer(ana_page, "Going", "✓ You are going.")
    expect(seats(ana_page)).to_have_text("1 seat left of 2")
    expect(people(ana_page)).to_have_text(["Ana"])
    ben_page = member_page(browser, console, base, ben)
    ben_page.goto(url)
    answer(ben_page, "Going", "✓ You are going.")
    expect(seats(ben_page)).to_have_text("Full · 2 seats")

    # Cleo finds the date full and joins the waitlist; her page stays open, live.
    cleo_page = member_page(browser, console, base, cleo)
    joined = watch_subscriptions(cleo_page)
    cleo_page.goto(url)
    wait_subscribed(cleo_page, joined, f"event:{event.pk}")
    answer(cleo_page, "Join the waitlist", "you are on the waitlist, number 1")
    cleo_rsvp = cleo_page.locator("#event-rsvp")
    expect(cleo_rsvp.get_by_role("button", name="On the waitlist")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(seats(cleo_page)).to_have_text("Full · 2 seats, 1 on the waitlist")
    expect(people(cleo_page)).to_have_text(["Ana", "Ben"])
    assert statuses(event, first) == {"Ana": "going", "Ben": "going", "Cleo": "waitlisted"}
    both_widths(cleo_page, screenshot, "events-01-waitlisted")

    # Ana withdraws: Cleo's open page shows her seat, her name and no waitlist, unreloaded.
    reloads = []
    cleo_page.on("framenavigated", lambda frame: reloads.append(frame.url))
    answer(ana_page, "Not going", "You are not going.")
    expect(cleo_rsvp).to_contain_text("✓ You are going.", timeout=10_000)
    expect(cleo_rsvp.get_by_role("button", name="Going", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(people(cleo_page)).to_have_text(["Ben", "Cleo"], timeout=10_000)
    expect(seats(cleo_page)).to_have_text("Full · 2 seats")
    assert statuses(event, first) == {"Ana": "not_going", "Ben": "going", "Cleo": "going"}
    both_widths(cleo_page, screenshot, "events-02-promoted")

    # Ben withdraws too: a seat is free, and Cleo's page counts it, still unreloaded.
    answer(ben_page, "Not going", "You are not going.")
    expect(seats(cleo_page)).to_have_text("1 seat left of 2", timeout=10_000)
    expect(people(cleo_page)).to_have_text(["Cleo"])
    assert reloads == []

    # The month after the first date: every weekly date of it, at the members' time.
    month_start = month_after(shown_first)
    month_end = month_after(month_start)
    expected = [
        moment.astimezone(MEMBER_ZONE)
        for moment in weekly_starts(start, until=month_end)
        if moment >= month_start
    ]
    cleo_page.goto(f"{base}/events/calendar/{shown_first.year}/{shown_first.month}/")
    mine = cleo_page.locator(".month-grid .month-chip--going")
    expect(mine).to_have_count(1)  # the first date, the only one Cleo answered
    expect(mine).to_have_attribute("href", url.removeprefix(base))
    cleo_page.get_by_role("link", name="Next month").click()
    expect(cleo_page).to_have_url(
        re.compile(rf"/events/calendar/{month_start.year}/{month_start.month}/$")
    )
    expect(cleo_page.locator(".month-head__title")).to_have_text(month_start.strftime("%B %Y"))
    agenda = cleo_page.locator(".month-agenda")
    expect(agenda.locator(".month-agenda__day")).to_have_text(
        [f"{moment:%A} {moment.day} {moment:%B}" for moment in expected]
    )
    expect(agenda.locator(".month-chip")).to_have_text(
        [f"{moment:%H:%M} {TITLE}" for moment in expected]
    )
    grid_chips = cleo_page.locator(".month-grid .month-day:not(.month-day--other) .month-chip")
    expect(grid_chips).to_have_count(len(expected))
    assert len(expected) >= 4
    both_widths(cleo_page, screenshot, "events-03-month")
    console.assert_clean()
