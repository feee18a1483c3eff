"""The gamification API (gamification/api/): my score and a member's (by the profile's
visibility rule), the leaderboards with the viewer's own standing at a fixed number of
queries, the rules and the ladder that members read and only admins change (refusals by
field with nothing written), and every gamification operation answering as the OpenAPI
schema documents."""

import pytest
from rest_framework.test import APIClient

from community.models import AuditEntry, User
from gamification.models import NO_NEGATIVE_POINTS, Level, PointRule
from gamification.periods import period_start
from tests.community.test_api_schema import load_schema
from tests.factories import ApiTokenFactory, TierFactory, UserFactory
from tests.helpers import api_as, assert_constant_queries

from .test_leaderboards import scored

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/score/"
RULES = "/api/v1/point-rules/"
LEVELS = "/api/v1/levels/"


def board(period):
    return f"/api/v1/leaderboards/{period}/"


def compact(member):
    return {"id": member.pk, "handle": member.handle, "display_name": member.display_name,
            "avatar_url": None}  # fmt: skip


def ladder_rows():
    return list(Level.objects.order_by("threshold").values_list("name", "threshold", "colour"))


# --- Scores ---------------------------------------------------------------------------------


def test_my_score_has_my_points_level_progress_and_rank(db):
    scored(70)
    me = scored(30)
    response = api_as(me).get(ME)
    assert response.status_code == 200, response.content
    regular, contributor = Level.objects.get(name="Regular"), Level.objects.get(name="Contributor")
    assert response.json() == {
        "member": compact(me),
        "points": 30,
        "level": {"id": regular.pk, "name": "Regular", "colour": "#2563eb", "threshold": 20},
        "next_level": {"id": contributor.pk, "name": "Contributor", "colour": "#7c3aed",
                       "threshold": 65},
        "progress": 22,  # (30 - 20) of the 45 points between Regular and Contributor
        "to_next": 35,
        "rank": 2,
    }  # fmt: skip


def test_a_score_costs_one_query(db, django_assert_num_queries):
    me = scored(30)
    client = api_as(me)  # forced authentication: no session or token queries
    # The ladder with the member's points and all-time rank beside each rung.
    with django_assert_num_queries(1):
        assert client.get(ME).status_code == 200


def test_a_member_without_points_has_the_first_level_and_no_rank(member):
    body = api_as(member).get(ME).json()
    assert (body["points"], body["level"]["name"], body["next_level"]["name"]) == (
        0, "Newcomer", "Member",
    )  # fmt: skip
    assert body["rank"] is None and body["to_next"] == 5


def test_the_top_level_has_no_next_level(db):
    legend = scored(40_000)
    body = api_as(legend).get(ME).json()
    assert body["level"]["name"] == "Icon"
    assert (body["next_level"], body["to_next"], body["progress"]) == (None, None, 100)


def test_a_token_and_a_session_read_the_same_score(member, member_client):
    scored(0)
    _token, raw_key = ApiTokenFactory.with_key(user=member)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    answers = [by_token.get(ME), member_client.get(ME)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["member"]["id"] == member.pk


def test_a_members_score_follows_their_profile_visibility(member, moderator):
    public = scored(6)
    private = scored(25, profile_visibility=User.Visibility.PRIVATE)
    url = "/api/v1/members/{}/score/"
    response = api_as(member).get(url.format(public.pk))
    assert response.status_code == 200
    assert (response.json()["member"], response.json()["points"]) == (compact(public), 6)
    assert response.json()["level"]["name"] == "Member"
    # Private: a 404 for members, as GET /api/v1/members/{id}/ answers; moderators and the
    # member themselves see it.
    refused = api_as(member).get(url.format(private.pk))
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert api_as(member).get(f"/api/v1/members/{private.pk}/").status_code == 404
    assert api_as(moderator).get(url.format(private.pk)).json()["points"] == 25
    assert api_as(private).get(url.format(private.pk)).json()["rank"] == 1
    deactivated = scored(9, is_active=False)
    assert api_as(member).get(url.format(deactivated.pk)).status_code == 404
    assert api_as(member).get(url.format(999_999)).status_code == 404


# --- Leaderboards ---------------------------------------------------------------------------


def test_the_board_lists_rank_member_level_and_points(db):
    top = scored(70, week=4, month=40)
    second = scored(10, week=9, month=9)
    scored(99, week=99, banned=True)
    response = api_as(second).get(board("all"))
    assert response.status_code == 200, response.content
    contributor, member_level = (
        Level.objects.get(name="Contributor"),
        Level.objects.get(name="Member"),
    )
    assert response.json() == {
        "period": "all",
        "starts_on": None,
        "results": [
            {"rank": 1, "member": compact(top), "points": 70,
             "level": {"id": contributor.pk, "name": "Contributor", "colour": "#7c3aed"}},
            {"rank": 2, "member": compact(second), "points": 10,
             "level": {"id": member_level.pk, "name": "Member", "colour": "#2a9d8f"}},
        ],
        "me": {"rank": 2, "points": 10},
    }  # fmt: skip
    week = api_as(second).get(board("week")).json()
    assert week["starts_on"] == period_start("week").isoformat()
    assert [(row["member"]["id"], row["points"]) for row in week["results"]] == [
        (second.pk, 9), (top.pk, 4),
    ]  # fmt: skip
    assert week["results"][1]["level"]["name"] == "Contributor"  # the all-time level
    assert week["me"] == {"rank": 1, "points": 9}


def test_a_private_member_keeps_their_rank_without_their_name(member, moderator):
    private = scored(25, profile_visibility=User.Visibility.PRIVATE)
    public = scored(6)
    rows = api_as(member).get(board("all")).json()["results"]
    assert [(row["rank"], row["member"], row["points"]) for row in rows] == [
        (1, None, 25), (2, compact(public), 6),
    ]  # fmt: skip
    # Those who may open the profile see the name, as on the page.
    for viewer in (moderator, private):
        rows = api_as(viewer).get(board("all")).json()["results"]
        assert rows[0]["member"] == compact(private)


def test_the_viewer_outside_the_top_list_still_gets_their_rank_and_points(db):
    for points in range(10, 25):
        scored(points, week=points, month=points)
    me = scored(12, week=12)
    for period in ("all", "week"):
        body = api_as(me).get(board(period), {"size": "5"}).json()
        assert [row["points"] for row in body["results"]] == [24, 23, 22, 21, 20]
        assert me.pk not in [row["member"]["id"] for row in body["results"]]
        assert body["me"] == {"rank": 14, "points": 12}
    # No points this month: not on the board.
    assert api_as(me).get(board("month")).json()["me"] == {"rank": None, "points": 0}


def test_an_unknown_period_is_a_404_and_a_bad_size_a_400(member):
    client = api_as(member)
    response = client.get(board("year"))
    assert response.status_code == 404
    assert (
        response.json()["code"] == "not_found"
        and "all, month and week" in response.json()["detail"]
    )
    response = client.get(board("week"), {"size": "0"})
    assert response.status_code == 400 and set(response.json()["fields"]) == {"size"}


@pytest.mark.parametrize("period", ["all", "month", "week"])
def test_a_board_costs_the_same_queries_for_n_and_2n_members(period):
    viewer = scored(1, week=1, month=1)

    def add(n):
        for points in range(2, n + 2):
            scored(points * 10, week=points, month=points)

    add(5)
    client = api_as(viewer)  # forced authentication: no session or token queries
    # The top rows with member, score and level joined (1), the viewer's points (1), their
    # rank: a COUNT on the board's index and one of the members out of standing in it (2).
    before, after = assert_constant_queries(
        lambda: client.get(board(period), {"size": "100"}), grow=lambda: add(10), bound=4
    )
    assert len(before.json()["results"]) == 6 and len(after.json()["results"]) == 16
    assert after.json()["me"] == {"rank": 16, "points": 1}


# --- Rules ----------------------------------------------------------------------------------


def test_members_read_what_each_action_is_worth(member):
    response = api_as(member).get(RULES)
    assert response.status_code == 200
    rules = {rule["action"]: rule for rule in response.json()["rules"]}
    assert rules["post_created"]["points"] == 2 and rules["post_created"]["active"] is True
    assert rules["like_received"]["label"] == "Like received"
    assert set(rules) == set(PointRule.Action.values)


def test_an_admin_changes_a_rule(admin):
    response = api_as(admin).patch(RULES + "post_created/", {"points": 5, "active": False},
                                   format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert (response.json()["points"], response.json()["active"]) == (5, False)
    assert PointRule.objects.filter(action="post_created", points=5, active=False).exists()
    assert AuditEntry.objects.get(action="gamification.rule_update").actor == admin


@pytest.mark.parametrize("persona", ["member", "moderator"])
def test_only_admins_change_a_rule(persona, request):
    response = api_as(request.getfixturevalue(persona)).patch(
        RULES + "post_created/", {"points": 50}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert PointRule.objects.get(action="post_created").points == 2


def test_a_negative_rule_value_is_refused_with_the_models_reason(admin):
    response = api_as(admin).patch(RULES + "comment_created/", {"points": -1}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"points": [NO_NEGATIVE_POINTS]}
    assert PointRule.objects.get(action="comment_created").points == 1
    assert not AuditEntry.objects.exists()


def test_a_rule_change_names_an_unknown_field_and_an_unknown_action_is_a_404(admin):
    client = api_as(admin)
    response = client.patch(RULES + "post_created/", {"point": 3}, format="json")
    assert (
        response.status_code == 400
        and "Did you mean “points”?" in (response.json()["fields"]["point"][0])
    )
    assert client.patch(RULES + "sleeping/", {"points": 3}, format="json").status_code == 404


# --- Levels ---------------------------------------------------------------------------------


def test_members_read_the_ladder(member):
    response = api_as(member).get(LEVELS)
    assert response.status_code == 200
    levels = response.json()["levels"]
    assert [(row["name"], row["threshold"]) for row in levels][:3] == [
        ("Newcomer", 0), ("Member", 5), ("Regular", 20),
    ]  # fmt: skip
    assert levels[0]["unlocks_tier"] is None


def test_an_admin_replaces_the_whole_ladder(admin):
    pro = TierFactory(slug="pro-level")
    newcomer = Level.objects.get(name="Newcomer")
    response = api_as(admin).put(LEVELS, {"levels": [
        {"id": newcomer.pk, "name": "Seedling", "threshold": 0, "colour": "#AABBCC"},
        {"name": "Sprout", "threshold": 50, "colour": "#112233", "unlocks_tier": "pro-level"},
    ]}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    levels = response.json()["levels"]
    assert [(row["name"], row["threshold"], row["colour"], row["unlocks_tier"])
            for row in levels] == [("Seedling", 0, "#aabbcc", None),
                                   ("Sprout", 50, "#112233", "pro-level")]  # fmt: skip
    assert levels[0]["id"] == newcomer.pk  # edited in place: members keep it
    assert Level.objects.get(name="Sprout").unlocks_tier == pro
    assert Level.objects.count() == 2
    assert AuditEntry.objects.filter(action="gamification.levels_update").count() == 1


@pytest.mark.parametrize("persona", ["member", "moderator"])
def test_only_admins_change_the_ladder(persona, request):
    before = ladder_rows()
    response = api_as(request.getfixturevalue(persona)).put(
        LEVELS, {"levels": [{"name": "Mine", "threshold": 0, "colour": "#000000"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert ladder_rows() == before


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ((0, 10, 10), "Level 3 (C): its threshold 10 must be higher than level 2's (10)."),
        ((0, 30, 20), "Level 3 (C): its threshold 20 must be higher than level 2's (30)."),
        ((5, 10, 20), "Level 1 (A): the first level starts at 0 points."),
    ],
    ids=["repeated", "decreasing", "not-from-zero"],
)
def test_a_bad_ladder_is_refused_by_field_and_nothing_changes(admin, thresholds, message):
    before = ladder_rows()
    rows = [{"name": name, "threshold": threshold, "colour": "#123456"}
            for name, threshold in zip("ABC", thresholds, strict=True)]  # fmt: skip
    response = api_as(admin).put(LEVELS, {"levels": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"levels": [message]}
    assert ladder_rows() == before
    assert not AuditEntry.objects.exists()


def test_bad_rows_are_named_by_their_place(admin):
    before = ladder_rows()
    response = api_as(admin).put(LEVELS, {"levels": [
        {"name": "A", "threshold": 0, "colour": "#123456", "unlocks_tier": "nope"},
        {"name": "B", "threshold": -3, "colour": "red"},
        {"name": "C", "threshold": 9, "colour": "#123456", "icon": "★"},
    ]}, format="json")  # fmt: skip
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"levels[0].unlocks_tier", "levels[1].threshold",
                           "levels[1].colour", "levels[2].icon"}  # fmt: skip
    assert fields["levels[1].colour"] == ["A colour is written #rrggbb, e.g. #2a9d8f."]
    assert fields["levels[2].icon"] == ["Unknown field “icon”. Known fields: id, name, "
                                        "threshold, colour, unlocks_tier."]  # fmt: skip
    assert ladder_rows() == before
    empty = api_as(admin).put(LEVELS, {"levels": []}, format="json")
    assert empty.status_code == 400 and "at least one level" in empty.json()["fields"]["levels"][0]


# --- Anonymous callers, and the schema -------------------------------------------------------


@pytest.fixture
def gamification_schema(client):
    return load_schema(client)


def test_every_gamification_operation_answers_what_the_schema_documents(
    gamification_schema, admin, member, moderator
):
    """tests/community/test_api_schema.py calls community's operations; these are the ones
    tagged `gamification`, each called as a member or an admin (and anonymously: 401), with
    its answer checked against the served schema."""
    scored(30, week=3, month=3)
    private = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    ladder = {"levels": [{"name": "Start", "threshold": 0, "colour": "#000000"},
                         {"name": "Next", "threshold": 10, "colour": "#ffffff"}]}  # fmt: skip
    calls = [
        ("member", "get", "/api/v1/me/score/", {}, None, 200),
        ("member", "get", "/api/v1/members/{member_id}/score/", {"member_id": member.pk}, None,
         200),
        ("member", "get", "/api/v1/members/{member_id}/score/", {"member_id": private.pk},
         None, 404),
        ("member", "get", "/api/v1/leaderboards/{period}/", {"period": "all"}, None, 200),
        ("member", "get", "/api/v1/leaderboards/{period}/", {"period": "week"}, {"size": "3"},
         200),
        ("member", "get", "/api/v1/leaderboards/{period}/", {"period": "month"}, None, 200),
        ("member", "get", "/api/v1/leaderboards/{period}/", {"period": "day"}, None, 404),
        ("member", "get", "/api/v1/leaderboards/{period}/", {"period": "all"}, {"size": "x"},
         400),
        ("member", "get", "/api/v1/point-rules/", {}, None, 200),
        ("member", "patch", "/api/v1/point-rules/{action}/", {"action": "post_created"},
         {"points": 3}, 403),
        ("admin", "patch", "/api/v1/point-rules/{action}/", {"action": "post_created"},
         {"points": 3}, 200),
        ("admin", "patch", "/api/v1/point-rules/{action}/", {"action": "post_created"},
         {"points": -3}, 400),
        ("admin", "patch", "/api/v1/point-rules/{action}/", {"action": "nothing"},
         {"points": 3}, 404),
        ("member", "get", "/api/v1/levels/", {}, None, 200),
        ("member", "put", "/api/v1/levels/", {}, ladder, 403),
        ("admin", "put", "/api/v1/levels/", {}, {"levels": [
            {"name": "Start", "threshold": 0, "colour": "#000000"},
            {"name": "Same", "threshold": 0, "colour": "#000000"}]}, 400),
        ("admin", "put", "/api/v1/levels/", {}, ladder, 200),
    ]  # fmt: skip
    clients = {"member": api_as(member), "admin": api_as(admin), "anonymous": APIClient()}
    for who, method, path, params, data, expect in calls:
        url = path.format(**params)
        for caller, wanted in ((who, expect), ("anonymous", 401)):
            if method == "get":
                response = clients[caller].get(url, data)
            else:
                response = getattr(clients[caller], method)(url, data, format="json")
            assert response.status_code == wanted, (caller, method, url, response.content[:300])
            if wanted == 401:
                assert response["WWW-Authenticate"] == "Bearer"
            gamification_schema.check(method, path, response)

    ours = {op for op, o in gamification_schema.operations.items() if "gamification" in o["tags"]}
    called = {(method, path) for _who, method, path, *_rest in calls}
    assert ours - called == set(), "gamification operations this test never calls"
    assert len(ours) == 7
