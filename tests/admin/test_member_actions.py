"""The members' list actions: each goes through a service, so each decision is audited."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from community.models import AccessGrant, AuditEntry
from gamification.models import PointAward, Score
from tests.factories import AccessGrantFactory, PostFactory, UserFactory, default_rules_and_levels

USERS = "admin:community_user_changelist"


def _run(client, action, members, **form):
    return client.post(
        reverse(USERS),
        {"action": action, "_selected_action": [m.pk for m in members], **form},
        follow=True,
    )


def test_a_ban_without_an_end_has_none(admin_client, member):
    _run(admin_client, "ban_members", [member], reason="Abuse")
    member.refresh_from_db()
    assert member.is_banned and member.banned_until is None


def test_a_ban_ending_in_the_past_is_refused(admin_client, member):
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = _run(admin_client, "ban_members", [member], reason="Abuse", until=past)
    member.refresh_from_db()
    assert not member.is_banned
    assert "must be in the future" in page.content.decode()
    assert not AuditEntry.objects.filter(action="community.ban").exists()


def test_unbanning_keeps_working(admin_client, banned_member):
    _run(admin_client, "unban_members", [banned_member], reason="Appeal")
    banned_member.refresh_from_db()
    assert not banned_member.is_banned
    assert AuditEntry.objects.get(action="community.unban").reason == "Appeal"


def test_an_admin_grants_a_tier_with_an_end(admin_client, admin, member, other_member, pro):
    ends = timezone.localtime() + timedelta(days=30)
    _run(admin_client, "grant_tier", [member, other_member], tier=pro.pk, reason="Prize",
         until=ends.strftime("%Y-%m-%dT%H:%M"))  # fmt: skip
    grants = AccessGrant.objects.filter(tier=pro, user__in=[member, other_member])
    assert grants.count() == 2
    assert {(g.source, g.granted_by, g.note) for g in grants} == {("manual", admin, "Prize")}
    assert all(g.ends_at == ends.replace(second=0, microsecond=0) for g in grants)
    assert AuditEntry.objects.filter(action="community.grant", actor=admin).count() == 2


def test_granting_needs_a_tier(admin_client, member):
    page = _run(admin_client, "grant_tier", [member])
    assert "Choose the tier to grant." in page.content.decode()
    assert not AccessGrant.objects.exists()


def test_an_admin_revokes_a_tier_from_the_members_who_hold_it(admin_client, admin, pro,
                                                               paid_member, member):  # fmt: skip
    later = AccessGrantFactory(user=member, tier=pro, future=True)
    _run(admin_client, "revoke_tier", [paid_member, member], tier=pro.pk, reason="Refund")
    assert not AccessGrant.objects.active().filter(user=paid_member, tier=pro).exists()
    later.refresh_from_db()
    assert later.revoked_at is not None  # a grant starting later is revoked too
    assert AuditEntry.objects.filter(action="community.revoke", actor=admin,
                                     reason="Refund").count() == 2  # fmt: skip


def test_the_recompute_action_sets_points_from_the_ledger(
    admin_client, member, django_capture_on_commit_callbacks
):
    default_rules_and_levels()
    post = PostFactory(author=member)
    PointAward.objects.create(member=member, action="post_created", points=3, actor=member,
                              source_type=ContentType.objects.get_for_model(post),
                              source_id=post.pk)  # fmt: skip
    Score.objects.create(member=member, points=99)
    other = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit
        page = _run(admin_client, "recompute_member_scores", [member, other])
    assert "2 score(s) queued for a recompute." in page.content.decode()
    assert Score.objects.get(member=member).points == 3
