"""The admins' analytics: community's series (exact figures with the empty days), the
period's validation, who may see the page, the CSV and the API, a page that costs the
same number of queries whatever the data and the period, and the daily rollups."""

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import analytics, tasks
from community.analytics import CATEGORY, DAILY, Period, Series
from community.charts import chart, nice_ceiling
from community.models import DailyFigure, Post
from community.services.analytics import roll_up_analytics
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db

PAGE = "/manage/analytics/"
MARCH = {"from": "2026-03-01", "to": "2026-03-05"}
DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]


def at(day, hour=12, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def series(key, period=None):
    figures = analytics.figures(
        analytics.series_by_key(key), period or Period(date(2026, 3, 1), date(2026, 3, 5))
    )
    return {column: [row[1][i] for row in figures.rows]
            for i, column in enumerate(figures.columns)}  # fmt: skip


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def march(space):
    """Two members before March; three join on the 1st, two on the 3rd. On the 1st, Ann
    writes two posts (one deleted since) and a comment; on the 2nd, Ann and Bob comment."""
    UserFactory.create_batch(2, created_at=datetime(2026, 2, 20, tzinfo=UTC))
    ann, bob, _ = UserFactory.create_batch(3, created_at=at(1, 9))
    UserFactory.create_batch(2, created_at=at(3, 23, 59))
    post = PostFactory(space=space, author=ann, created_at=at(1))
    PostFactory(space=space, author=ann, created_at=at(1, 13), deleted_at=at(2))
    CommentFactory(post=post, author=ann, created_at=at(1, 14))
    CommentFactory(post=post, author=ann, created_at=at(2))
    CommentFactory(post=post, author=bob, created_at=at(2, 15))
    return {"ann": ann, "bob": bob}


# --- The figures ----------------------------------------------------------------------------


def test_members_series_count_the_joiners_and_fill_the_empty_days(march):
    assert series("new_members") == {"new_members": [3, 0, 2, 0, 0]}
    assert series("members") == {"members": [5, 5, 7, 7, 7]}


def test_activity_series_count_authors_once_a_day_and_deleted_posts_too(march):
    assert series("posts") == {"posts": [2, 0, 0, 0, 0]}
    assert series("comments") == {"comments": [1, 2, 0, 0, 0]}
    assert series("active_members") == {"active_members": [1, 2, 0, 0, 0]}


def test_days_are_the_sites_time_zone(settings, space, member):
    settings.TIME_ZONE = "Europe/Paris"  # 23:30 UTC on the 1st is 00:30 on the 2nd there
    PostFactory(space=space, author=member, created_at=at(1, 23, 30))
    assert series("posts") == {"posts": [0, 1, 0, 0, 0]}
    assert series("active_members") == {"active_members": [0, 1, 0, 0, 0]}


def test_a_period_counts_its_last_day_whole_and_nothing_after(space, member):
    PostFactory(space=space, author=member, created_at=at(5, 23, 59))
    PostFactory(space=space, author=member, created_at=at(6, 0, 0))
    assert series("posts") == {"posts": [0, 0, 0, 0, 1]}


def test_months_of_a_period_are_each_month_it_touches():
    period = Period(date(2025, 11, 30), date(2026, 2, 1))
    assert period.months() == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1),
                               date(2026, 2, 1)]  # fmt: skip


def test_every_app_registers_its_series_in_order():
    keys = [series.key for series in analytics.registered_series()]
    assert keys[:5] == ["members", "new_members", "active_members", "posts", "comments"]
    assert {"enrollments", "course_completion", "event_attendance", "mrr",
            "invoices_paid"} <= set(keys)  # fmt: skip


def test_charts_escape_names_and_scale_to_a_round_top():
    names = {"<script>x</script>": 3, "Fine": 7}
    hostile = Series(key="t", label="<b>T</b>", description="", kind=CATEGORY,
                     compute=lambda period: {"n": names})  # fmt: skip
    svg = chart(analytics.figures(hostile, Period(date(2026, 3, 1), date(2026, 3, 1))))
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg
    assert '<title id="chart-t-title">&lt;b&gt;T&lt;/b&gt;</title>' in svg
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 240)] == [1, 1, 5, 10, 10, 20, 500]


def test_a_one_day_chart_is_a_dot_with_its_date():
    one_day = Series(key="d", label="D", description="", kind=DAILY,
                     compute=lambda period: {"n": {date(2026, 3, 1): 4}})  # fmt: skip
    svg = chart(analytics.figures(one_day, Period(date(2026, 3, 1), date(2026, 3, 1))))
    assert svg.count("<circle") == 1 and 'text-anchor="start">2026-03-01</text>' in svg


# --- The page -------------------------------------------------------------------------------


def test_the_page_shows_each_series_as_a_chart_a_table_and_a_csv_link(admin, march):
    response = signed_in(admin).get(PAGE, MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    for series_ in analytics.registered_series():
        assert f'id="{series_.key}-heading">{series_.label}</h2>' in html
    section = html.split('id="new_members"', 1)[1].split("</section>", 1)[0]
    assert '<svg class="chart"' in section and '<title id="chart-new_members-title">' in section
    assert "/manage/analytics/new_members.csv?from=2026-03-01&amp;to=2026-03-05" in section
    cells = re.findall(r'<tr><th scope="row">([\d-]+)</th><td>(\d+)</td></tr>', section)
    assert cells == list(zip(DAYS, ["3", "0", "2", "0", "0"], strict=True))
    # The Content-Security-Policy refuses style attributes: the charts use classes.
    charts = "".join(re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S))
    assert charts and "style=" not in charts and "<script" not in charts


def test_the_page_says_when_a_series_has_nothing(admin):
    html = signed_in(admin).get(PAGE, MARCH).content.decode()
    section = html.split('id="invoices_paid"', 1)[1].split("</section>", 1)[0]
    assert "No figures to show." in section and '<svg class="chart"' not in section


def test_presets_and_the_default_period_end_today(admin):
    response = signed_in(admin).get(PAGE, {"days": "90"})
    period = response.context["period"]
    assert (period.end - period.start).days == 89 and period == analytics.default_period(90)
    assert signed_in(admin).get(PAGE).context["period"] == analytics.default_period(30)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-03-05", "to": "2026-03-01"}, "The end comes before the start."),
        ({"from": "2026-03-01"}, "Give both dates, or neither."),
        ({"from": "2023-01-01", "to": "2026-03-01"}, "Choose at most 731 days (two years)."),
        ({"from": "2026-13-01", "to": "2026-03-01"}, "Enter a valid date."),
        ({"days": "7"}, "Select a valid choice."),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_error(admin, query, message):
    response = signed_in(admin).get(PAGE, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Correct the dates above" in html
    assert '<svg class="chart"' not in html
    csv_response = signed_in(admin).get("/manage/analytics/posts.csv", query)
    assert csv_response.status_code == 400 and message in csv_response.content.decode()


def test_two_years_is_the_longest_period(admin):
    response = signed_in(admin).get(PAGE, {"from": "2024-03-01", "to": "2026-02-28"})
    assert response.status_code == 200


def test_the_page_costs_the_same_queries_whatever_the_data(admin, space):
    def page_queries():
        client = signed_in(admin)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE, {"from": "2026-02-01", "to": "2026-03-31"}).status_code == 200
        return len(queries)

    def add(n):
        for day in range(1, n + 1):
            author = UserFactory(created_at=at(day))
            post = PostFactory(space=space, author=author, created_at=at(day))
            CommentFactory(post=post, author=author, created_at=at(day, 13))

    add(5)
    few = page_queries()
    add(10)
    # The session and the member, the sidebar's, then one aggregate query per series (two
    # for members over time: those before the period, then the joiners per day; two for a
    # rolled-up series: its stored days, then the others counted).
    assert page_queries() == few < 30


def test_the_sidebar_links_admins_to_the_page(admin, moderator):
    assert f'href="{PAGE}"' in signed_in(admin).get("/").content.decode()
    assert f'href="{PAGE}"' not in signed_in(moderator).get("/").content.decode()


# --- Who may see it -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, "/manage/analytics/members.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["member", "moderator"])
@pytest.mark.parametrize("url", [PAGE, "/manage/analytics/members.csv"])
def test_members_and_moderators_are_refused(who, url, request):
    assert signed_in(request.getfixturevalue(who)).get(url).status_code == 403


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_the_api_refuses_members_and_moderators(who, request):
    client = api_as(request.getfixturevalue(who))
    for url in ("/api/v1/analytics/", "/api/v1/analytics/members/", "/api/v1/analytics/nope/"):
        response = client.get(url)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_the_api_refuses_anonymous_callers():
    response = api_as(None).get("/api/v1/analytics/members/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_series_nobody_registered_is_not_found(admin):
    assert signed_in(admin).get("/manage/analytics/nope.csv").status_code == 404
    response = api_as(admin).get("/api/v1/analytics/nope/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- CSV and API ----------------------------------------------------------------------------


def test_the_csv_has_a_row_per_day(admin, march):
    response = signed_in(admin).get("/manage/analytics/members.csv", MARCH)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="members-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["day", "members"], *([d, n] for d, n in
                    zip(DAYS, ["5", "5", "7", "7", "7"], strict=True))]  # fmt: skip


def test_the_api_lists_the_series(admin):
    response = api_as(admin).get("/api/v1/analytics/")
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first == {"key": "members", "label": "Members over time", "kind": "daily",
                     "unit": "count", "description": first["description"]}  # fmt: skip


def test_the_api_gives_a_series_points_with_the_empty_days(admin, march):
    response = api_as(admin).get("/api/v1/analytics/new_members/", MARCH)
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["columns"]) == ("2026-03-01", "2026-03-05",
                                                           ["new_members"])  # fmt: skip
    assert body["points"] == [{"x": d, "values": [n]} for d, n in
                              zip(DAYS, [3, 0, 2, 0, 0], strict=True)]  # fmt: skip


def test_the_api_names_the_field_of_a_bad_period(admin):
    response = api_as(admin).get("/api/v1/analytics/posts/", {"from": "2026-03-05",
                                                              "to": "2026-03-01"})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["fields"] == {"to": ["The end comes before the start."]}
    response = api_as(admin).get("/api/v1/analytics/posts/", {"days": "x"})
    assert response.status_code == 400 and "days" in response.json()["fields"]


# --- Daily rollups --------------------------------------------------------------------------

TODAY = date(2026, 3, 5)
DAY = timedelta(days=1)
ROLLED_UP = ["active_members", "posts", "comments"]


@pytest.fixture
def on_march_5th(monkeypatch):
    """Today is 5 March in the site's time zone: the 1st to the 4th are closed days."""
    monkeypatch.setattr(analytics, "today", lambda: TODAY)


def live(key, period):
    """The series counted from the source rows, as if it were not rolled up."""
    return analytics.figures(replace(analytics.series_by_key(key), rolled_up=False), period)


def stored():
    return sorted(DailyFigure.objects.values_list("series", "column", "day", "time_zone",
                                                  "value"))  # fmt: skip


@pytest.fixture
def counting(monkeypatch):
    """A rolled-up series of two columns, the only one registered; `periods` lists the
    periods its compute was asked for."""
    periods = []

    def compute(period):
        periods.append((period.start, period.end))
        return {"even": {d: d.day for d in period.days() if d.day % 2 == 0}, "odd": {}}

    series = Series(key="counting", label="C", description="", kind=DAILY, compute=compute,
                    rolled_up=True)  # fmt: skip
    monkeypatch.setattr(analytics, "_series", {"counting": series})
    return series, periods


def test_the_costly_community_series_are_rolled_up_and_the_members_ones_live():
    assert [series.key for series in analytics.rolled_up_series()] == ROLLED_UP


def test_only_a_daily_series_of_whole_numbers_may_be_rolled_up():
    for kind, unit in ((CATEGORY, analytics.COUNT), (DAILY, analytics.PERCENT)):
        with pytest.raises(ValueError, match="Only a daily series"):
            analytics.register_series(Series(key="x", label="X", description="", kind=kind,
                                             compute=dict, unit=unit, rolled_up=True))  # fmt: skip


def test_rolled_up_figures_equal_the_live_ones_on_stored_missing_and_todays_days(
    settings, on_march_5th, space, member, other_member
):
    # Paris is UTC+1 in March: 22:59 UTC is 23:59 there, 23:00 UTC the next day's midnight.
    settings.TIME_ZONE = "Europe/Paris"
    for day in range(1, 6):
        post = PostFactory(space=space, author=member, created_at=at(day, 22, 59))
        PostFactory(space=space, author=other_member, created_at=at(day, 23, 0))
        CommentFactory(post=post, author=other_member, created_at=at(day, 22, 59))
        CommentFactory.create_batch(day, post=post, author=member, created_at=at(day, 23, 1))
    period = Period(date(2026, 2, 28), TODAY)
    expected = {key: live(key, period).rows for key in ROLLED_UP}
    assert expected["posts"] == [(d, [n]) for d, n in zip(period.days(), [0, 1, 2, 2, 2, 2],
                                                          strict=True)]  # fmt: skip

    roll_up_analytics()
    DailyFigure.objects.filter(day=date(2026, 3, 2)).delete()  # as if the task missed it

    closed = {day for _s, _c, day, _z, _v in stored() if day >= period.start}
    assert closed == {date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 3), date(2026, 3, 4)}
    assert {zone for *_rest, zone, _v in stored()} == {"Europe/Paris"}
    for key in ROLLED_UP:
        assert analytics.figures(analytics.series_by_key(key), period).rows == expected[key]


def test_closed_days_are_read_from_the_rollups_and_today_is_counted(on_march_5th, space, member):
    PostFactory(space=space, author=member, created_at=at(4))
    roll_up_analytics()
    Post.objects.all().delete()  # the closed day keeps the figure the task counted...
    PostFactory(space=space, author=member, created_at=at(5))  # ...today is counted live
    assert series("posts") == {"posts": [0, 0, 0, 1, 1]}


def test_only_the_days_not_stored_are_computed_in_one_span(on_march_5th, counting):
    rolled, periods = counting
    roll_up_analytics(days=10)
    assert periods == [(date(2026, 2, 23), date(2026, 3, 4))]  # ten closed days, one run

    periods.clear()
    DailyFigure.objects.filter(day=date(2026, 3, 2)).delete()
    figures = analytics.figures(rolled, Period(date(2026, 2, 27), TODAY))
    assert periods == [(date(2026, 3, 2), TODAY)]
    assert figures.columns == ["even", "odd"]
    assert [values for _day, values in figures.rows] == [[0, 0], [28, 0], [0, 0], [2, 0],
                                                         [0, 0], [4, 0], [0, 0]]  # fmt: skip

    periods.clear()
    roll_up_analytics(days=10)  # the missing day, and the last two again
    assert periods == [(date(2026, 3, 2), TODAY - DAY)]
    periods.clear()
    analytics.figures(rolled, Period(date(2026, 2, 27), date(2026, 3, 4)))
    assert periods == []  # closed days only, all stored: nothing counted


def test_the_nightly_task_is_idempotent(on_march_5th, march):
    written = tasks.roll_up_analytics.delay().get()
    assert written == {key: analytics.MAX_DAYS for key in ROLLED_UP}
    rows = stored()
    assert len(rows) == 3 * analytics.MAX_DAYS and rows[-1][2] == TODAY - DAY
    assert tasks.roll_up_analytics.delay().get() == {key: 2 for key in ROLLED_UP}
    assert stored() == rows
    assert series("active_members") == {"active_members": [1, 2, 0, 0, 0]}


def test_rows_of_another_time_zone_are_not_read_but_counted_again(
    settings, on_march_5th, space, member
):
    PostFactory(space=space, author=member, created_at=at(3, 23, 30))  # the 4th in Paris
    roll_up_analytics(days=5)
    settings.TIME_ZONE = "Europe/Paris"
    assert series("posts") == {"posts": [0, 0, 0, 1, 0]}
    assert roll_up_analytics(days=5)["posts"] == 5
    assert {zone for *_rest, zone, _v in stored()} == {"Europe/Paris"}
    assert series("posts") == {"posts": [0, 0, 0, 1, 0]}


def test_the_command_counts_the_last_days_again(on_march_5th, space, member):
    PostFactory(space=space, author=member, created_at=at(1))
    PostFactory(space=space, author=member, created_at=at(4))
    call_command("rollup_analytics", stdout=io.StringIO())
    Post.objects.all().delete()  # purged since: the stored days still count them
    out = io.StringIO()
    call_command("rollup_analytics", "--days", "3", stdout=out)
    assert "posts: 3 days written" in out.getvalue()
    assert series("posts") == {"posts": [1, 0, 0, 0, 0]}  # the 2nd to the 4th counted again
    with pytest.raises(CommandError, match="from 1 to 731"):
        call_command("rollup_analytics", "--days", "0")


def test_the_page_costs_the_same_queries_for_a_month_or_two_years(admin, on_march_5th, march):
    roll_up_analytics()

    def page_queries(days):
        start = TODAY - DAY * (days - 1)
        client = signed_in(admin)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE, {"from": start.isoformat(), "to": TODAY.isoformat()})
            assert response.status_code == 200
        return len(queries)

    # As over a few days of data (above): each rolled-up series reads its stored days in one
    # query and counts today in one more, whatever the period's length.
    assert page_queries(30) == page_queries(365) == page_queries(analytics.MAX_DAYS) < 30


def test_the_rollups_are_written_after_each_local_midnight(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["roll-up-analytics"]
    assert entry["task"] == "community.tasks.roll_up_analytics"
    assert entry["schedule"] == crontab(hour=0, minute=15)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
