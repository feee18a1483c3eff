"""The seams other apps plug into: gating, live topics, audit actions, the system actor and
side effects that cannot break a write. tests/example_app adds a gated, live, audited noun
(a workshop) through them alone; these tests hold both it and community's spaces to them."""

import importlib
import logging

import pytest
from celery import shared_task
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from community import access, audit, effects, live, services, signals
from community.actors import system
from community.models import AccessGrant, AuditEntry, Comment, Post, Space
from tests.example_app import services as workshops
from tests.example_app.access import can_see_workshop
from tests.example_app.models import Workshop

from ..factories import PostFactory, SpaceFactory
from ..helpers import connect, run, session_headers, subscribe
from .test_uploads import image_bytes, upload


@pytest.fixture
def gated(pro):
    """One workshop and one space of each visibility."""
    made = {}
    for visibility in ("public", "members", "paid"):
        tier = pro if visibility == "paid" else None
        made[visibility] = [
            Workshop.objects.create(title=visibility, visibility=visibility, required_tier=tier),
            SpaceFactory(
                name=visibility, slug=visibility, visibility=visibility, required_tier=tier
            ),
        ]
    return made


# Who sees what, the same for every gated model.
GATING_MATRIX = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "banned_member": {"public"},
    "paid_member": {"public", "members", "paid"},
    "moderator": {"public", "members", "paid"},
}


@pytest.mark.parametrize("persona", GATING_MATRIX)
def test_one_gating_rule_answers_for_every_gated_model(request, gated, persona):
    user = request.getfixturevalue(persona)
    for visibility, objects in gated.items():
        for obj in objects:
            expected = visibility in GATING_MATRIX[persona]
            assert access.can_see_gated(user, obj) is expected, (persona, obj)
            in_sql = access.visible_gated(user, type(obj).objects.filter(pk=obj.pk)).exists()
            assert in_sql is expected, (persona, obj)


@pytest.mark.parametrize("persona", GATING_MATRIX)
def test_a_catalog_with_locks_agrees_with_the_rules_in_python(request, gated, persona):
    """gated_with_locks (an app's catalog: what the member sees, and what they may only
    preview, locked) in SQL says what can_see_gated and can_preview_gated say per row."""
    user = request.getfixturevalue(persona)
    for model in (Workshop, Space):
        listed = {row.pk: row.is_locked for row in access.gated_with_locks(user, model.objects)}
        for obj in model.objects.select_related("required_tier"):
            if access.can_see_gated(user, obj):
                assert listed.get(obj.pk) is False, (persona, obj)
            elif access.can_preview_gated(user, obj):
                assert listed.get(obj.pk) is True, (persona, obj)
            else:
                assert obj.pk not in listed, (persona, obj)


@pytest.mark.parametrize("persona", sorted(set(GATING_MATRIX) - {"anonymous"}))
def test_a_gated_objects_audience_in_sql_agrees_with_the_rule(request, gated, persona):
    """gated_audience (the members a task may tell about a gated object: a waitlist, a
    reminder) holds the users can_see_gated lets in, among signed-up members."""
    user = request.getfixturevalue(persona)
    users = type(user).objects.filter(pk=user.pk)
    for objects in gated.values():
        for obj in objects:
            expected = access.can_see_gated(user, obj) and access.is_active_member(user)
            assert users.filter(access.gated_audience(obj)).exists() is expected, (persona, obj)


def test_held_tiers_are_read_once_per_request_for_every_gated_model(
    paid_member, gated, django_assert_num_queries
):
    viewer = type(paid_member).objects.get(pk=paid_member.pk)  # a fresh request's user
    with django_assert_num_queries(1):  # the member's active grants
        assert all(access.can_see_gated(viewer, obj) for obj in gated["paid"])
    with django_assert_num_queries(2):  # one list per model, no more grant reads
        assert list(access.visible_gated(viewer, Workshop.objects.all()))
        assert list(access.visible_gated(viewer, Space.objects.all()))


def test_a_gated_model_inherits_the_paid_needs_a_tier_rule(db, pro):
    with pytest.raises(ValidationError, match="A paid workshop needs the tier"):
        Workshop(title="x", visibility="paid").full_clean()
    with pytest.raises(ValidationError, match="Only paid workshops require a tier"):
        Workshop(title="x", visibility="public", required_tier=pro).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.create(title="x", visibility="paid")


# --- Live topics ---------------------------------------------------------------------------


def test_an_apps_topic_kind_answers_through_its_own_rule(member, paid_member, gated):
    workshop = gated["paid"][0]
    assert access.can_subscribe(paid_member, f"workshop:{workshop.pk}")
    assert not access.can_subscribe(member, f"workshop:{workshop.pk}")
    assert not access.can_subscribe(paid_member, "workshop:999999")


@pytest.mark.parametrize("topic", ["lesson:1", "workshop:abc", "workshop:²", "user", ":1", 7])
def test_unknown_kinds_and_malformed_topics_are_refused(member, topic):
    assert not access.can_subscribe(member, topic)


def test_a_topic_kind_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        live.register_topic("space", lambda user, object_id: True)
    with pytest.raises(ValueError, match="lowercase letters"):
        live.register_topic("Space.2", lambda user, object_id: True)


# --- Audit actions -------------------------------------------------------------------------


def test_an_unregistered_action_is_refused_and_a_name_cannot_change_its_label(admin, space):
    with pytest.raises(ValueError, match="Unregistered audit action"):
        audit.record(admin, "community.bann", space)
    with pytest.raises(ValueError, match="already registered"):
        audit.register_action("community.ban", "Something else")
    with pytest.raises(ValueError, match=r"<app>\.<verb>"):
        audit.register_action("ban", "Banned")
    assert not AuditEntry.objects.exists()


def test_existing_entries_get_dotted_names(admin, space):
    migration = importlib.import_module(
        "community.migrations.0006_gating_open_audit_actions_system_actor"
    )
    entry = AuditEntry.objects.create(actor=admin, action="space_create", target_type_id=1,
                                      target_id=space.pk)  # fmt: skip
    from django.apps import apps

    migration.dotted_names(apps, None)
    entry.refresh_from_db()
    assert entry.action == audit.SPACE_CREATE
    assert audit.action_label(entry.action) == "Created a space"


def test_the_admin_filters_by_any_apps_action_and_shows_the_system(admin, client, pro, member):
    workshop = Workshop.objects.create(title="Intro", visibility="members")
    workshops.cancel_workshop(admin, workshop=workshop, reason="Speaker ill")
    services.grant_access(system("stripe event evt_1"), member=member, tier=pro,
                          source=AccessGrant.Source.PAYMENT)  # fmt: skip
    client.force_login(admin)
    url = reverse("admin:community_auditentry_changelist")
    page = client.get(url).content.decode()
    assert "Cancelled a workshop" in page and "Granted a tier" in page  # labels, in the filter
    assert "system (stripe event evt_1)" in page
    only = client.get(url, {"action": workshops.CANCEL}).content.decode()
    assert "Speaker ill" in only and "system (stripe event evt_1)" not in only


# --- The system actor ----------------------------------------------------------------------


def test_the_system_grants_a_tier_with_its_cause_in_the_audit_log(member, pro):
    paid = SpaceFactory(visibility="paid", required_tier=pro)
    grant = services.grant_access(system("stripe event evt_123"), member=member, tier=pro,
                                  source=AccessGrant.Source.PAYMENT)  # fmt: skip
    assert grant.granted_by is None
    entry = AuditEntry.objects.get(action=audit.GRANT)
    assert (entry.actor, entry.cause) == (None, "stripe event evt_123")
    assert entry.actor_label == "system (stripe event evt_123)"
    fresh = type(member).objects.get(pk=member.pk)
    assert access.can_see_space(fresh, paid)
    services.revoke_access(system("stripe event evt_124"), grant=grant, reason="ended")
    assert AuditEntry.objects.get(action=audit.REVOKE).cause == "stripe event evt_124"


def test_the_system_runs_admins_services_and_nothing_else(space, member, pro):
    actor = system("nightly job")
    workshop = Workshop.objects.create(title="Intro", visibility="members")
    workshops.cancel_workshop(actor, workshop=workshop)
    assert not can_see_workshop(member, workshop)
    post = PostFactory(space=space)
    report = services.report(member, target=post, reason="Spam")
    for refused in (
        lambda: services.create_post(actor, space=space, body="Hello"),
        lambda: services.hide_post(actor, post=post),
        lambda: services.resolve_report(actor, report=report),
        lambda: services.ban_member(actor, member=member, reason="x"),
        lambda: workshops.cancel_workshop(member, workshop=workshop),
    ):
        with pytest.raises((PermissionDenied, Http404)):
            refused()
    with pytest.raises(ValueError, match="from a source"):
        services.grant_access(actor, member=member, tier=pro)  # "manual" would be a lie


def test_the_system_always_says_why(db):
    with pytest.raises(ValueError, match="cause"):
        system("  ")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(actor=None, action=audit.GRANT, target_type_id=1, target_id=1)


# --- Side effects after commit -------------------------------------------------------------


@pytest.fixture
def raising_listener():
    """A comment listener that fails, as a future gamification or messaging one might."""
    calls = []

    def listener(sender, **kwargs):
        calls.append(kwargs)
        raise RuntimeError("listener failed")

    signals.comment_created.connect(listener)
    yield calls
    signals.comment_created.disconnect(listener)


@pytest.mark.django_db(transaction=True)
def test_a_raising_listener_leaves_the_comment_saved_the_page_fine_and_the_rest_run(
    client, member, space, raising_listener, live_events, domain_signals, caplog
):
    post = PostFactory(space=space)
    client.force_login(member)
    with caplog.at_level(logging.ERROR):
        response = client.post(reverse("community:post_comments", args=[post.pk]),
                                {"body": "Still here"})  # fmt: skip
    assert response.status_code == 302  # back to the comment, not a 500
    comment = Comment.objects.get(body="Still here")
    assert len(raising_listener) == 1
    assert domain_signals.of("comment_created")  # another receiver of the same signal ran
    assert live_events.of_type("comment.created")  # the broadcast queued after it ran
    post.refresh_from_db()
    assert post.comment_count == 1  # the recount task queued after it ran
    failure = next(r for r in caplog.records if "comment_created" in r.getMessage() or
                   "domain signal" in r.getMessage())  # fmt: skip
    assert failure.exc_info and "listener failed" in str(failure.exc_info[1])
    assert comment.pk


@shared_task
def failing_task(post_id):
    raise RuntimeError("broker or task failed")


@pytest.mark.django_db(transaction=True)
def test_a_failing_enqueue_or_broadcast_does_not_stop_the_effects_after_it(
    space, member, caplog, monkeypatch
):
    post = PostFactory(space=space)
    Comment.objects.create(post=post, author=member, body="x", body_html="x")

    def broken_layer():
        raise ConnectionError("channel layer down")

    monkeypatch.setattr(live, "get_channel_layer", broken_layer)
    with caplog.at_level(logging.ERROR), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(title="changed")
        effects.enqueue_on_commit(failing_task, post.pk)
        live.publish_on_commit(f"post:{post.pk}", "post.updated", id=post.pk)
        effects.enqueue_on_commit(services.comments.tasks.recount_post, post.pk)
    post.refresh_from_db()
    assert (post.title, post.comment_count) == ("changed", 1)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "was not queued" in messages and "was not delivered" in messages


@pytest.mark.django_db(transaction=True)
def test_nothing_is_announced_when_the_write_rolls_back(space, member, live_events):
    post = PostFactory(space=space)
    with pytest.raises(RuntimeError), transaction.atomic():
        live.publish_on_commit(f"post:{post.pk}", "post.updated", id=post.pk)
        raise RuntimeError("the write failed")
    assert live_events == []


@pytest.mark.django_db(transaction=True)
def test_a_failed_profile_save_leaves_no_orphan_avatar(member, settings):
    type(member).objects.filter(pk=member.pk).delete()  # the row vanished: the save fails
    with pytest.raises(Exception, match="did not affect any rows"):
        services.update_profile(member, avatar=upload("me.png", image_bytes("PNG")))
    avatars = settings.MEDIA_ROOT / "avatars"
    assert not avatars.exists() or not any(avatars.iterdir())


def test_anonymous_visits_write_nothing(space, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        services.visit_space(AnonymousUser(), space=space)
    assert queued == []


@pytest.mark.django_db(transaction=True)
def test_the_socket_subscribes_through_the_registered_rule(member, paid_member, gated):
    workshop = gated["paid"][0]

    def answer(viewer, topic):
        headers = session_headers(viewer)

        async def scenario():
            communicator, _ = await connect(headers)
            reply = await subscribe(communicator, topic)
            await communicator.disconnect()
            return reply["type"], reply.get("code")

        return run(scenario)

    topic = f"workshop:{workshop.pk}"
    assert answer(paid_member, topic) == ("subscribed", None)
    assert answer(member, topic) == ("error", "forbidden")
    assert answer(paid_member, "lesson:1") == ("error", "forbidden")
