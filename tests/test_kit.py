"""The shared test kit itself: factories make valid rows, personas are who they say, and the
capture fixtures and the query-count helper catch what they promise to."""

import pytest
from django.contrib.contenttypes.models import ContentType

from community import access, live, services
from community.models import AccessGrant, Report, Space
from tests import factories
from tests.helpers import api_as, assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db

EVERY_FACTORY = [
    factories.UserFactory,
    factories.ModeratorFactory,
    factories.AdminFactory,
    factories.ApiTokenFactory,
    factories.AuditEntryFactory,
    factories.TierFactory,
    factories.AccessGrantFactory,
    factories.SpaceFactory,
    factories.PaidSpaceFactory,
    factories.SpaceVisitFactory,
    factories.HashtagFactory,
    factories.PostFactory,
    factories.CommentFactory,
    factories.ReplyFactory,
    factories.LikeFactory,
    factories.CommentLikeFactory,
    factories.FollowFactory,
    factories.ReportFactory,
]


@pytest.mark.parametrize("factory", EVERY_FACTORY, ids=lambda f: f.__name__)
def test_every_factory_makes_a_row_that_passes_the_models_validation(factory):
    row = factory()
    row.full_clean(exclude=["password"])
    second = factory()
    assert second.pk != row.pk  # no unique field collides on a second row


def test_a_reply_sits_on_its_parents_post_and_a_like_points_at_its_target():
    reply = factories.ReplyFactory()
    assert reply.post == reply.parent.post and reply.parent.parent is None
    like = factories.LikeFactory(target=reply)
    assert like.target == reply
    assert like.content_type == ContentType.objects.get_for_model(reply)


def test_a_paid_space_has_a_tier_and_a_post_has_escaped_html():
    assert factories.PaidSpaceFactory().required_tier is not None
    assert factories.SpaceFactory(paid=True).visibility == Space.Visibility.PAID
    assert factories.PostFactory(body="<b>&").body_html == "<p>&lt;b&gt;&amp;</p>"
    tagged = factories.PostFactory(hashtags=["django", factories.HashtagFactory(name="python")])
    assert sorted(tagged.hashtags.values_list("name", flat=True)) == ["django", "python"]


def test_an_api_token_from_the_factory_authenticates_with_its_raw_key():
    token, raw_key = factories.ApiTokenFactory.with_key()
    client = api_as(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/me/").json()["id"] == token.user_id
    _token, revoked_key = factories.ApiTokenFactory.with_key(revoked=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {revoked_key}")
    assert client.get("/api/v1/me/").status_code == 401


def test_grant_traits_and_report_traits():
    assert AccessGrant.objects.active().count() == 0
    factories.AccessGrantFactory(expired=True)
    factories.AccessGrantFactory(future=True)
    factories.AccessGrantFactory(revoked=True)
    assert AccessGrant.objects.active().count() == 0
    report = factories.ReportFactory(resolved=True)
    assert report.status == Report.Status.RESOLVED and report.resolved_by.is_moderator


# --- Personas -------------------------------------------------------------------------------


def test_the_personas_are_who_they_say(
    anonymous, member, paid_member, moderator, admin, banned_member, pro
):
    paid = factories.PaidSpaceFactory(required_tier=pro)
    assert not anonymous.is_authenticated
    assert not access.can_see_space(member, paid)
    assert access.can_see_space(paid_member, paid)
    assert moderator.is_moderator and not moderator.is_superuser
    assert admin.role == admin.Role.ADMIN and admin.is_superuser
    assert banned_member.is_banned
    assert list(access.visible_spaces(banned_member)) == list(access.visible_spaces(anonymous))


def test_api_as_none_is_anonymous_and_a_member_is_forced_in(member, anonymous):
    assert api_as(None).get("/api/v1/me/").status_code == 401
    assert api_as(anonymous).get("/api/v1/me/").status_code == 401
    assert api_as(member).get("/api/v1/me/").json()["id"] == member.pk


# --- Captures -------------------------------------------------------------------------------


def test_live_events_records_and_still_sends(live_events, monkeypatch):
    sent = []
    monkeypatch.setattr(live, "async_to_sync", lambda send: lambda *a: sent.append(a))
    live.broadcast_rollback_unsafe("post:1", "like.changed", id=1)
    live.broadcast_rollback_unsafe("space:2", "post.created", id=3)
    assert live_events == [("post:1", "like.changed", {"id": 1}),
                           ("space:2", "post.created", {"id": 3})]  # fmt: skip
    assert live_events.of_type("post.created") == [("space:2", "post.created", {"id": 3})]
    assert live_events.topics() == ["post:1", "space:2"]
    assert len(sent) == 2  # the real broadcast ran too


def test_domain_signals_records_sends_after_commit_only(
    member, other_member, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(member, member=other_member)
        assert domain_signals == []
    assert domain_signals.names() == ["member_followed"]
    assert domain_signals.of("member_followed") == [
        {"follower_id": member.pk, "followed_id": other_member.pk}
    ]
    assert "comment_created" in domain_signals.by_name  # every signal is listened to


# --- Query counts ---------------------------------------------------------------------------


def test_assert_constant_queries_catches_a_count_that_grows(space, member):
    factories.PostFactory.create_batch(2, space=space, author=member)

    def one_query_per_post():
        return [post.author.pk for post in space.posts.all()]  # author not joined

    with pytest.raises(AssertionError, match="queries for N items"):
        assert_constant_queries(
            one_query_per_post,
            grow=lambda: factories.PostFactory.create_batch(2, space=space, author=member),
            bound=10,
        )
    joined = lambda: [p.author.pk for p in space.posts.select_related("author")]  # noqa: E731
    assert count_queries(joined)[0] == 1
    with pytest.raises(AssertionError, match="more than 0"):
        assert_constant_queries(joined, grow=lambda: None, bound=0)
