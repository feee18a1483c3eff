"""The pages: the leaderboard (periods, the viewer's own row, private profiles, a fixed number
of queries), the score in the header and on a profile (one query each), and the admins'
pages for rules and levels (who gets them, saving through the services, refusals on the
form)."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from community import cards
from community.models import AuditEntry, User
from gamification.context_processors import score as header_processor
from gamification.models import Level, PointRule, Score
from gamification.views import TOP, profile_panel
from tests.factories import TierFactory
from tests.helpers import assert_constant_queries, count_queries

from .test_leaderboards import scored

pytestmark = pytest.mark.django_db

BOARD = reverse("gamification:leaderboard")
RULES = reverse("gamification:manage_rules")
LEVELS = reverse("gamification:manage_levels")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def ranks(response):
    """(rank, name, points) of each row shown, in order (own row included)."""
    shown = [*response.context["rows"], *response.context["own_rows"]]
    return [(row.rank, row.member.display_name, row.points) for row in shown]


# --- The leaderboard --------------------------------------------------------------------------


def test_the_board_shows_rank_member_level_in_its_colour_and_points(client, member):
    top = scored(70, display_name="Ada Top")
    second = scored(12, display_name="Bo Second")
    client.force_login(member)
    response = client.get(BOARD)
    assert response.status_code == 200
    assert ranks(response) == [(1, "Ada Top", 70), (2, "Bo Second", 12)]
    html = response.content.decode()
    contributor = Level.objects.get(name="Contributor")
    assert f'class="level-chip lvl-{contributor.pk}"' in html
    assert f".lvl-{contributor.pk}{{--level:{contributor.colour}}}" in html  # nonce'd rule
    assert reverse("community:profile", args=[top.pk]) in html
    assert reverse("community:profile", args=[second.pk]) in html
    assert 'aria-current="page">All time</a>' in html


def test_the_week_and_month_tabs_read_their_period(client, member):
    scored(500, week=2, month=40, display_name="Old Hand")
    scored(20, week=9, month=9, display_name="Busy Week")
    client.force_login(member)
    assert ranks(client.get(BOARD, {"period": "week"})) == [(1, "Busy Week", 9), (2, "Old Hand", 2)]
    month = client.get(BOARD, {"period": "month"})
    assert ranks(month) == [(1, "Old Hand", 40), (2, "Busy Week", 9)]
    assert 'aria-current="page">This month</a>' in month.content.decode()


def test_an_unknown_period_shows_all_time(client, member):
    scored(5, display_name="Only One")
    client.force_login(member)
    response = client.get(BOARD, {"period": "year"})
    assert response.status_code == 200
    assert response.context["period"] == "all"
    assert ranks(response) == [(1, "Only One", 5)]


def test_a_viewer_below_the_top_sees_their_own_row_under_it(client):
    for points in range(100, 100 + TOP + 5):
        scored(points, week=points)
    me = scored(3, week=1, display_name="Me Myself")
    client.force_login(me)
    for period, mine in (("all", 3), ("week", 1)):
        response = client.get(BOARD, {"period": period})
        assert len(response.context["rows"]) == TOP
        assert ranks(response)[-1] == (TOP + 6, "Me Myself", mine)
        html = response.content.decode()
        assert 'aria-label="Your place"' in html
        assert html.count('class="board-row is-me"') == 1
    scored(4, month=4)
    month = client.get(BOARD, {"period": "month"})
    assert month.context["own_rows"] == []
    assert "You have no points this month" in month.content.decode()


def test_a_viewer_in_the_top_is_marked_in_the_list_without_a_second_row(client):
    scored(50, display_name="Leader")
    me = scored(10, display_name="Me Myself")
    client.force_login(me)
    response = client.get(BOARD)
    assert response.context["own_rows"] == []
    html = response.content.decode()
    assert 'aria-label="Your place"' not in html
    assert re.search(r'class="board-row is-me[^"]*"[^>]*aria-current="true"', html)


def test_a_private_profile_keeps_its_rank_without_name_or_link(client, member):
    hidden = scored(40, display_name="Secret Sam", profile_visibility=User.Visibility.PRIVATE)
    scored(10, display_name="Open Olga")
    client.force_login(member)
    response = client.get(BOARD)
    html = response.content.decode()
    assert ranks(response)[0][0] == 1 and "Secret Sam" not in html
    assert "A member with a private profile" in html
    assert reverse("community:profile", args=[hidden.pk]) not in html
    assert "Open Olga" in html


def test_a_row_is_one_card_for_every_viewer_filled_per_viewer(member, moderator, monkeypatch):
    rendered = []
    original = cards.CardKind.render_uncached

    def counted(kind, *args):
        rendered.append(kind.name)
        return original(kind, *args)

    monkeypatch.setattr(cards.CardKind, "render_uncached", counted)
    hidden = scored(40, display_name="Secret Sam", profile_visibility=User.Visibility.PRIVATE)
    scored(10, display_name="Open Olga")
    pages = {}
    for viewer in (member, moderator):
        browser = Client()
        browser.force_login(viewer)
        pages[viewer] = browser.get(BOARD).content.decode()
    assert rendered.count("board_row") == 2  # the two rows, once for both viewers
    assert "Secret Sam" not in pages[member] and "Secret Sam" in pages[moderator]
    # New points are a new card on the next request.
    Score.objects.filter(member=hidden).update(points=41)
    browser.get(BOARD)
    assert rendered.count("board_row") == 3


def test_a_banned_member_is_not_on_the_board(client, member):
    scored(90, display_name="Banned Bob", banned=True)
    scored(5, display_name="Good Gail")
    client.force_login(member)
    assert ranks(client.get(BOARD)) == [(1, "Good Gail", 5)]


def test_the_board_asks_visitors_to_sign_in(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_an_empty_board_says_how_to_get_on_it(client, member):
    client.force_login(member)
    html = client.get(BOARD, {"period": "week"}).content.decode()
    assert "No one has earned points this week." in html


@pytest.mark.parametrize("period", ["all", "week", "month"])
def test_the_board_costs_the_same_for_more_members(client, period):
    me = scored(1, week=1, month=1)  # at the bottom: the own row is shown
    client.force_login(me)

    def add(count):
        for _ in range(count):
            scored(50, week=50, month=50)

    add(TOP)
    # Session and member (2), the board with members and levels joined (1), the viewer's
    # score for their level and the header (1), their rank (2: the rows before theirs, the
    # members out of standing among them), their period points (week and month: 1).
    before, after = assert_constant_queries(
        lambda: client.get(BOARD, {"period": period}), grow=lambda: add(TOP), bound=7
    )
    assert (len(before.context["rows"]), len(after.context["rows"])) == (TOP, TOP)
    mine = before.context["own_rows"][0].rank, after.context["own_rows"][0].rank
    assert mine == (TOP + 1, 2 * TOP + 1)


# --- The header and the profile ---------------------------------------------------------------


def test_the_header_shows_points_and_level_for_one_query(member, django_assert_num_queries):
    Score.objects.create(member=member, points=25, level=Level.objects.get(name="Regular"))
    request = RequestFactory().get("/")
    request.user = member
    lazy = header_processor(request)["header_score"]
    with django_assert_num_queries(1):  # the ladder with the member's points beside it
        assert (lazy().points, lazy().level.name) == (25, "Regular")


def test_the_header_is_not_there_for_visitors(client):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert header_processor(request) == {"header_score": None}
    assert "data-header-score" not in client.get(reverse("account_login")).content.decode()


def test_every_page_header_shows_the_chip_and_points(client, member):
    Score.objects.create(member=member, points=7, level=Level.objects.get(name="Member"))
    client.force_login(member)
    html = client.get(reverse("community:feed")).content.decode()
    header = html[html.index('class="account-nav"') : html.index("</header>")]
    assert "data-header-score" in header
    assert "<strong data-header-points>7</strong>" in header
    member_level = Level.objects.get(name="Member")
    assert (
        f'class="level-chip lvl-{member_level.pk}" data-level-chip title="Level: Member"' in header
    )
    assert f".lvl-{member_level.pk}{{--level:{member_level.colour}}}" in header


def test_the_header_costs_one_query_on_a_page(client, member, settings):
    client.force_login(member)
    feed = reverse("community:feed")
    with_score, _ = count_queries(lambda: client.get(feed))
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [p for p in processors if "gamification" not in p],
            },
        }
    ]
    without, response = count_queries(lambda: client.get(feed))
    assert "data-header-score" not in response.content.decode()
    assert with_score == without + 1


def test_the_profile_shows_points_level_progress_and_rank(client, member, other_member):
    scored(100, display_name="Ahead")
    Score.objects.create(member=other_member, points=12, level=Level.objects.get(name="Member"))
    client.force_login(member)
    response = client.get(reverse("community:profile", args=[other_member.pk]))
    html = response.content.decode()
    panel = html[html.index('class="score-panel') : html.index("</section>")]
    member_level, regular = Level.objects.get(name="Member"), Level.objects.get(name="Regular")
    assert f'class="level-chip lvl-{member_level.pk}"' in panel
    assert f".lvl-{member_level.pk}{{--level:{member_level.colour}}}" in html
    assert '<strong class="score-panel__number">12</strong>' in panel
    assert "#2</a>" in panel  # behind "Ahead"
    assert '<progress class="level-progress" max="100" value="46"' in panel  # 7 of 15 points
    assert "8 points to" in panel and f"lvl-{regular.pk}" in panel


def test_a_visitor_sees_the_score_on_a_public_profile_without_a_header_score(client, member):
    Score.objects.create(member=member, points=30, level=Level.objects.get(name="Regular"))
    html = client.get(reverse("community:profile", args=[member.pk])).content.decode()
    assert '<strong class="score-panel__number">30</strong>' in html
    assert "#1</a>" in html and "data-header-score" not in html


def test_a_profile_without_points_is_not_ranked_yet(client, member):
    client.force_login(member)
    html = client.get(reverse("community:own_profile")).content.decode()
    assert "Not ranked yet" in html
    assert "5 points to" in html  # 0 of Member's 5


def test_the_top_level_has_no_progress_bar(client, member):
    Score.objects.create(member=member, points=40_000)
    client.force_login(member)
    html = client.get(reverse("community:own_profile")).content.decode()
    assert "The highest level" in html and "<progress" not in html


def test_the_profile_panel_costs_one_query(member, django_assert_num_queries):
    for points in range(1, 30):
        scored(points)
    Score.objects.create(member=member, points=15)
    request = RequestFactory().get("/")
    request.user = member
    # The ladder with the member's points and all-time rank beside each rung.
    with django_assert_num_queries(1):
        panel = profile_panel(request, member)
    assert (panel["score"].points, panel["rank"]) == (15, 15)


# --- The admins' pages ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "member", "moderator"])
def test_everyone_but_admins_gets_a_403(request, client, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for page in (RULES, LEVELS):
        assert client.get(page).status_code == 403
    assert (
        client.post(RULES, {"action": "post_created", "post_created-points": 99}).status_code == 403
    )
    assert client.post(LEVELS, ladder_post([("Only", 0, "#000000")])).status_code == 403
    assert PointRule.objects.get(action="post_created").points == 2
    assert Level.objects.count() == 9
    assert AuditEntry.objects.count() == 0


def test_the_sidebar_and_the_board_link_admins_to_the_points_pages(client, admin, member):
    client.force_login(member)
    assert RULES not in client.get(reverse("community:feed")).content.decode()
    assert RULES not in client.get(BOARD).content.decode()
    client.force_login(admin)
    html = client.get(reverse("community:feed")).content.decode()
    assert f'href="{RULES}"' in html and "Manage points" in html
    assert f'href="{RULES}"' in client.get(BOARD).content.decode()


def test_the_rules_page_lists_each_rule_and_says_old_awards_keep_their_points(admin_client):
    response = admin_client.get(RULES)
    html = response.content.decode()
    assert response.status_code == 200
    assert "A change applies to new awards only." in html
    assert "Points already given keep the value they were given with" in html
    assert html.count('name="action"') == PointRule.objects.count() == 6
    assert 'name="like_received-points"' in html and 'value="1"' in html


def test_an_admin_changes_a_rule(admin_client):
    response = admin_client.post(
        RULES, {"action": "comment_created", "comment_created-points": "5"}, follow=True
    )
    rule = PointRule.objects.get(action="comment_created")
    assert (rule.points, rule.active) == (5, False)  # the unchecked box switches it off
    assert AuditEntry.objects.filter(action="gamification.rule_update").count() == 1
    assert "awards already given keep their points" in response.content.decode()
    admin_client.post(
        RULES,
        {
            "action": "comment_created",
            "comment_created-points": "5",
            "comment_created-active": "on",
        },
    )
    assert PointRule.objects.get(action="comment_created").active is True


def test_a_negative_or_huge_value_is_refused_on_its_rule(admin_client):
    for value, message in (("-3", "No negative values"), ("5000", "less than or equal to 1000")):
        response = admin_client.post(
            RULES,
            {"action": "post_created", "post_created-points": value, "post_created-active": "on"},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html and "Not saved" in html
        assert 'id="id_post_created-points_error"' in html
    assert PointRule.objects.get(action="post_created").points == 2
    assert AuditEntry.objects.count() == 0


def test_an_unknown_rule_changes_nothing(admin_client):
    response = admin_client.post(RULES, {"action": "nope", "nope-points": "3"}, follow=True)
    assert "That rule no longer exists" in response.content.decode()
    assert AuditEntry.objects.count() == 0


def ladder_post(rows, *, initial=0):
    """The levels form as a browser sends it: rows of (name, threshold, colour[, id,
    tier id, delete])."""
    data = {
        "levels-TOTAL_FORMS": str(len(rows)),
        "levels-INITIAL_FORMS": str(initial),
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        name, threshold, colour, *rest = row
        level_id, tier_id, delete = [*rest, None, None, False][:3]
        data |= {
            f"levels-{index}-name": name,
            f"levels-{index}-threshold": str(threshold),
            f"levels-{index}-colour": colour,
            f"levels-{index}-id": str(level_id or ""),
            f"levels-{index}-unlocks_tier": str(tier_id or ""),
        }
        if delete:
            data[f"levels-{index}-DELETE"] = "on"
    return data


def current_ladder():
    return [(level.name, level.threshold, level.colour) for level in Level.objects.all()]


def test_the_levels_page_shows_the_ladder_and_a_blank_row(admin_client):
    TierFactory(name="Insiders")
    response = admin_client.get(LEVELS)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 10  # 9 levels and 1 blank
    assert 'value="Legend"' in html and 'type="color"' in html
    assert ">Insiders</option>" in html
    assert "data-ladder-template" in html  # the row "Add a level" copies


def test_an_admin_edits_adds_and_removes_levels(admin_client, django_capture_on_commit_callbacks):
    tier = TierFactory(name="Insiders")
    first, second, third = Level.objects.all()[:3]
    rows = [
        ("Starter", 0, "#111111", first.pk),
        ("Member", 5, "#2a9d8f", second.pk, None, True),  # removed
        ("Regular", 20, "#2563eb", third.pk, tier.pk),
        ("Rising", 30, "#ABCDEF"),  # new
        ("", "", "#6b7280"),  # the blank row, left empty
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(LEVELS, ladder_post(rows, initial=3))
    assert response.status_code == 302
    assert current_ladder() == [
        ("Starter", 0, "#111111"), ("Regular", 20, "#2563eb"), ("Rising", 30, "#abcdef"),
    ]  # fmt: skip
    assert Level.objects.get(name="Regular").unlocks_tier == tier
    assert Level.objects.get(pk=first.pk).name == "Starter"  # edited in place
    assert AuditEntry.objects.filter(action="gamification.levels_update").count() == 1


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("A", 0, "#111111"), ("B", 10, "#222222"), ("C", 10, "#333333")],
         "10 is the same as the level above (B, 10)"),
        ([("A", 0, "#111111"), ("B", 10, "#222222"), ("C", 4, "#333333")],
         "4 is lower than the level above (B, 10)"),
        ([("A", 3, "#111111"), ("B", 10, "#222222")], "The first level starts at 0 points."),
    ],
)  # fmt: skip
def test_repeated_or_decreasing_thresholds_are_refused_beside_the_row(admin_client, rows, message):
    before = current_ladder()
    response = admin_client.post(LEVELS, ladder_post(rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The levels were not saved." in html
    assert message in html
    assert 'class="level-row card level-row--invalid"' in html
    assert current_ladder() == before
    assert AuditEntry.objects.count() == 0


def test_a_bad_colour_or_empty_ladder_is_refused(admin_client):
    before = current_ladder()
    response = admin_client.post(LEVELS, ladder_post([("A", 0, "red")]))
    assert response.status_code == 400
    assert "A colour is written #rrggbb" in response.content.decode()
    everything_removed = [
        (level.name, level.threshold, level.colour, level.pk, None, True)
        for level in Level.objects.all()
    ]
    response = admin_client.post(LEVELS, ladder_post(everything_removed, initial=9))
    assert response.status_code == 400
    assert "The ladder needs at least one level" in response.content.decode()  # the service's
    assert current_ladder() == before


def test_a_member_is_unaffected_by_a_refused_save(admin_client, member):
    Score.objects.create(member=member, points=7, level=Level.objects.get(name="Member"))
    admin_client.post(LEVELS, ladder_post([("A", 0, "#111111"), ("B", 0, "#222222")]))
    assert Score.objects.get(member=member).level.name == "Member"
