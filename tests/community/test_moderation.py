import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client

from community import access, audit, live, services
from community.models import AuditEntry, Space, User
from community.tasks import clear_expired_sessions
from tests.factories import AdminFactory, ModeratorFactory

pytestmark = pytest.mark.django_db


def test_banning_writes_an_audit_entry_in_the_same_transaction(moderator, member):
    services.ban_member(moderator, member=member, reason="Spam")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id, entry.reason) == (
        moderator,
        audit.BAN,
        member.pk,
        "Spam",
    )
    services.unban_member(moderator, member=member)
    member.refresh_from_db()
    assert not member.is_banned
    assert AuditEntry.objects.filter(action=audit.UNBAN).count() == 1


def test_members_cannot_ban_and_moderators_cannot_ban_moderators(member, other_member, moderator):
    with pytest.raises(PermissionDenied):
        services.ban_member(member, member=other_member, reason="x")
    with pytest.raises(PermissionDenied):
        services.ban_member(moderator, member=ModeratorFactory(), reason="x")
    with pytest.raises(PermissionDenied):
        services.ban_member(moderator, member=moderator, reason="x")
    services.ban_member(AdminFactory(), member=moderator, reason="x")
    assert not AuditEntry.objects.exclude(actor__role=User.Role.ADMIN).exists()


def test_a_banned_moderator_moderates_nothing(moderator, member):
    services.ban_member(AdminFactory(), member=moderator, reason="x")
    assert not access.can_moderate(moderator)
    assert not access.can_subscribe(moderator, f"user:{moderator.pk}")


def test_the_admin_ban_action_asks_the_service(client, moderator, member):
    client.force_login(AdminFactory())
    response = client.post(
        "/admin/community/user/",
        {"action": "ban_members", "_selected_action": [member.pk], "reason": "Scam links"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_banned and member.ban_reason == "Scam links"


def test_the_admin_lists_members_for_staff(client, moderator):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(email="moderator@agora.localhost"))
    response = client.get("/admin/community/user/?q=lena")
    assert response.status_code == 200
    assert "Lena Okafor" in response.content.decode()


def test_visible_members_hides_private_profiles_from_members_only(member, moderator):
    private = User.objects.create_user(
        "p@example.com", "pw", display_name="P", profile_visibility=User.Visibility.PRIVATE
    )
    assert private not in access.visible_members(member)
    assert private not in access.visible_members(AnonymousUser())
    assert private in access.visible_members(moderator)
    assert private in access.visible_members(private)


def test_a_broken_channel_layer_never_fails_the_write(member, settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    live.broadcast_rollback_unsafe(f"user:{member.pk}", "profile.updated", id=member.pk)
    assert "was not delivered" in caplog.text


def test_seed_demo_is_idempotent_and_prints_the_admin_login(capsys):
    call_command("seed_demo")
    first = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == first >= 5
    assert Space.objects.count() == 5  # not duplicated by the second run
    assert Space.objects.get(slug="pro-lounge").required_tier.slug == "pro"
    out = capsys.readouterr().out
    assert "admin@agora.localhost" in out
    admin = User.objects.get(email="admin@agora.localhost")
    assert admin.role == User.Role.ADMIN and admin.is_superuser
    assert admin.emailaddress_set.get().verified


def test_the_session_cleanup_job_is_scheduled_and_runs(settings, client, member):
    from django.contrib.sessions.models import Session

    assert settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]["task"] == (
        "community.tasks.clear_expired_sessions"
    )
    client.force_login(member)
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")
    clear_expired_sessions.delay()
    assert not Session.objects.exists()


def test_a_moderator_cannot_make_themselves_admin_in_the_admin_site():
    client = Client(raise_request_exception=False)
    call_command("seed_demo", stdout=io.StringIO())
    moderator = User.objects.get(email="moderator@agora.localhost")
    admin = User.objects.get(email="admin@agora.localhost")
    client.force_login(moderator)
    url = f"/admin/community/user/{moderator.pk}/change/"
    response = client.post(url, {"role": "admin", "is_superuser": "on", "is_staff": "on",
                      "display_name": "Max", "time_zone": "UTC",
                      "profile_visibility": "public"})  # fmt: skip
    assert response.status_code == 403
    moderator.refresh_from_db()
    assert (moderator.role, moderator.is_superuser) == (User.Role.MODERATOR, False)
    admin_page = client.get(f"/admin/community/user/{admin.pk}/change/").content.decode()
    assert 'name="email"' not in admin_page and 'name="display_name"' not in admin_page
    member = User.objects.get(email="lena@agora.localhost")
    page = client.get(f"/admin/community/user/{member.pk}/change/")
    assert page.status_code == 200
    assert 'name="role"' not in page.content.decode()  # shown, not editable


def test_a_banned_members_api_session_gets_json_401(api_client, member, moderator):
    api_client.force_login(member)
    services.ban_member(moderator, member=member, reason="spam")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
