"""Moderators find and use the report queue: the navigation link with the open count, the
reported content as the site shows it, and actions that exist (on the site and in the admin,
through the services, audited)."""

import pytest
from django.urls import reverse

from community import audit, services
from community.models import AuditEntry, Comment, Post, Report
from community.selectors.reports import open_report_count
from tests.factories import ModeratorFactory, UserFactory
from tests.helpers import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/reports/"


@pytest.fixture
def author(db):
    return UserFactory(display_name="Troll Tom", bio="I **love** selling",
                       bio_html="<p>I <strong>love</strong> selling</p>")  # fmt: skip


@pytest.fixture
def post(space, author):
    return services.create_post(author, space=space, title="Great deal",
                                body="Buy **bold** stuff at _my_ shop")  # fmt: skip


@pytest.fixture
def comment(post, author):
    return services.create_comment(author, post=post, body="Spam **again**")


def reports_for(reporter, *targets):
    return [
        services.report(reporter, target=t, reason=f"Report {i}") for i, t in enumerate(targets)
    ]


def admin_action(client, model, action, objects, reason=""):
    url = reverse(f"admin:community_{model}_changelist")
    data = {"action": action, "_selected_action": [o.pk for o in objects], "reason": reason}
    return client.post(url, data, follow=True)


# --- The navigation ------------------------------------------------------------------------


def test_the_navigation_shows_moderators_the_queue_with_the_open_count(
    client, moderator, member, other_member, post, comment
):
    reports_for(member, post, comment)
    services.resolve_report(moderator, report=reports_for(other_member, post)[0])
    client.force_login(moderator)
    page = client.get(reverse("community:feed")).content.decode()
    assert f'href="{QUEUE}"' in page and 'data-open-reports="2"' in page
    assert '<span class="nav-reports__count">2</span>' in page


def test_admins_see_the_link_and_no_count_badge_when_the_queue_is_empty(client, admin):
    client.force_login(admin)
    page = client.get(reverse("community:feed")).content.decode()
    assert f'href="{QUEUE}"' in page and 'data-open-reports="0"' in page
    assert "nav-reports__count" not in page


def test_members_and_visitors_get_no_link_and_no_count_query(client, member, other_member, post):
    reports_for(other_member, post)
    for who in (member, None):
        client.logout()
        if who:
            client.force_login(who)
        page = client.get(reverse("community:feed")).content.decode()
        assert QUEUE not in page and "data-open-reports" not in page
    queries, count = count_queries(lambda: open_report_count(member))
    assert (queries, count) == (0, None)


def test_the_open_count_is_one_query(moderator, member, other_member, post, comment, author):
    reports_for(member, post, comment, author)
    reports_for(other_member, post)
    assert count_queries(lambda: open_report_count(moderator)) == (1, 4)


def test_a_moderators_page_costs_the_same_with_3_or_30_open_reports(client, moderator, space):
    def add_reports(count):
        for _ in range(count):
            reporter = UserFactory()
            target = Post.objects.create(space=space, author=reporter, body="x", body_html="x")
            Report.objects.create(reporter=UserFactory(), target=target, reason="Spam")

    client.force_login(moderator)
    add_reports(3)
    # Session and user (2), the spaces (one list for the feed and the sidebar), posts and
    # per-viewer facts, and the navigation's open count (1): it does not grow with reports.
    assert_constant_queries(lambda: client.get(reverse("community:feed")),
                            grow=lambda: add_reports(27), bound=13, warm_up=True)  # fmt: skip


# --- The queue page ------------------------------------------------------------------------


def test_the_queue_shows_content_as_the_site_renders_it(
    client, moderator, member, post, comment, author
):
    reports_for(member, post, comment, author)
    client.force_login(moderator)
    page = client.get(QUEUE).content.decode()
    assert "<strong>bold</strong>" in page and "<em>my</em>" in page  # the post, rendered
    assert "<strong>again</strong>" in page  # the comment
    assert "**" not in page and "_my_" not in page  # no raw Markdown
    assert "Great deal" in page and "General" in page  # title and space
    # The member as a card: avatar, name, handle, bio as rendered.
    assert "Troll Tom" in page and f"@{author.handle}" in page
    assert "<strong>love</strong>" in page


def test_the_queue_escapes_what_the_sanitizer_would_not_let_through(
    client, moderator, member, space
):
    nasty = services.create_post(UserFactory(), space=space, body="<script>alert(1)</script> hi")
    reports_for(member, nasty)
    client.force_login(moderator)
    page = client.get(QUEUE).content.decode()
    assert "<script>alert(1)</script>" not in page


def _buttons(page, kind, target_id):
    """The action buttons of one target's form in the queue."""
    start = page.index(f'id="queue-{kind}-{target_id}"')
    form = page[start : page.index("</form>", start)]
    return {a for a in ("dismiss", "hide", "delete", "warn", "ban") if f'value="{a}"' in form}


def test_the_queue_offers_the_decisions_that_fit_each_target(
    client, moderator, member, post, comment, author
):
    reports_for(member, post, comment, author)
    client.force_login(moderator)
    page = client.get(QUEUE).content.decode()
    assert page.count(f'action="{reverse("community:moderate")}"') == 3
    assert _buttons(page, "post", post.pk) == {"dismiss", "hide", "delete", "warn", "ban"}
    assert _buttons(page, "comment", comment.pk) == {"dismiss", "hide", "delete", "warn", "ban"}
    assert _buttons(page, "member", author.pk) == {"dismiss", "warn", "ban"}
    # The links next to the content lead somewhere.
    for link in (
        reverse("community:post", args=[post.pk]),
        reverse("community:post", args=[post.pk]) + f"#comment-{comment.pk}",
        reverse("community:profile", args=[author.pk]),
    ):
        assert link in page
        assert client.get(link.split("#")[0]).status_code == 200, link


def test_a_decision_from_the_queue_comes_back_to_the_queue(client, moderator, member, post):
    reports_for(member, post)
    client.force_login(moderator)
    data = {"target_type": "post", "target_id": post.pk, "action": "hide", "next": QUEUE}
    response = client.post(reverse("community:moderate"), data)
    assert response.status_code == 302 and response.url == QUEUE
    post.refresh_from_db()
    assert post.hidden_at is not None
    assert Report.objects.get().status == Report.Status.RESOLVED
    page = client.get(QUEUE).content.decode()
    assert "Post hidden; its author was told." in page
    assert 'id="queue-post-' not in page  # nothing open is left


def test_members_get_403_and_visitors_the_sign_in_page(client, member, other_member, post):
    reports_for(other_member, post)
    assert client.get(QUEUE).status_code == 302  # to sign in
    client.force_login(member)
    assert client.get(QUEUE).status_code == 403
    for model in ("post", "comment", "report"):
        url = reverse(f"admin:community_{model}_changelist")
        assert client.get(url).status_code == 302  # not staff: the admin's sign-in


# --- The admin -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field", "before", "audited"),
    [
        ("hide_posts", "hidden_at", None, audit.POST_HIDE),
        ("pin_posts", "pinned_at", None, audit.POST_PIN),
        ("delete_posts", "deleted_at", None, audit.POST_DELETE),
    ],
)
def test_admin_post_actions_call_the_services_and_are_audited(
    client, moderator, post, action, field, before, audited, monkeypatch
):
    service_name = {"hide_posts": "hide_post", "pin_posts": "pin_post",
                    "delete_posts": "delete_post"}[action]  # fmt: skip
    real, calls = getattr(services, service_name), []

    def spy(actor, **kwargs):
        calls.append((actor, kwargs))
        return real(actor, **kwargs)

    monkeypatch.setattr(services, service_name, spy)
    client.force_login(moderator)
    response = admin_action(client, "post", action, [post], reason="Spam wave")
    assert response.status_code == 200
    post.refresh_from_db()
    assert getattr(post, field) is not None
    assert calls == [(moderator, {"post": post, "reason": "Spam wave"})]
    entry = AuditEntry.objects.get(action=audited)
    assert (entry.actor, entry.target_id, entry.reason) == (moderator, post.pk, "Spam wave")


def test_admin_unhides_and_unpins_with_audit_entries(client, moderator, post):
    services.hide_post(moderator, post=post)
    services.pin_post(moderator, post=post)
    client.force_login(moderator)
    admin_action(client, "post", "unhide_posts", [post])
    admin_action(client, "post", "unpin_posts", [post])
    post.refresh_from_db()
    assert post.hidden_at is None and post.pinned_at is None
    assert AuditEntry.objects.filter(action=audit.POST_UNHIDE, target_id=post.pk).count() == 1
    assert AuditEntry.objects.filter(action=audit.POST_UNPIN, target_id=post.pk).count() == 1


def test_admin_deletes_a_comment_through_the_service(client, moderator, comment):
    client.force_login(moderator)
    admin_action(client, "comment", "delete_comments", [comment], reason="Spam")
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    entry = AuditEntry.objects.get(action=audit.COMMENT_DELETE, target_id=comment.pk)
    assert entry.reason == "Spam"
    assert Comment.objects.filter(pk=comment.pk).exists()  # soft: the row stays


def test_admin_hides_and_unhides_comments_through_the_services(client, moderator, comment):
    client.force_login(moderator)
    listing = client.get(reverse("admin:community_comment_changelist")).content.decode()
    assert "hide_comments" in listing and "unhide_comments" in listing
    admin_action(client, "comment", "hide_comments", [comment], reason="Off-topic")
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    hidden = reverse("admin:community_comment_changelist") + "?hidden_at__isempty=0"
    assert f"/{comment.pk}/change/" in client.get(hidden).content.decode()
    admin_action(client, "comment", "unhide_comments", [comment])
    comment.refresh_from_db()
    assert comment.hidden_at is None
    entries = AuditEntry.objects.filter(target_id=comment.pk).order_by("id")
    assert [(e.actor, e.action, e.reason) for e in entries] == [
        (moderator, audit.COMMENT_HIDE, "Off-topic"),
        (moderator, audit.COMMENT_UNHIDE, "Unhid a comment"),
    ]


def test_a_staff_member_who_is_not_a_moderator_cannot_hide_comments(client, comment):
    client.force_login(UserFactory(is_staff=True))
    response = admin_action(client, "comment", "hide_comments", [comment])
    comment.refresh_from_db()
    assert comment.hidden_at is None and response.status_code == 403


def test_admin_resolves_and_dismisses_reports_with_the_note(
    client, moderator, member, post, comment
):
    first, second = reports_for(member, post, comment)
    client.force_login(moderator)
    admin_action(client, "report", "resolve_reports", [first], reason="Hid it")
    admin_action(client, "report", "dismiss_reports", [second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.resolved_by) == (Report.Status.RESOLVED, moderator)
    assert (second.status, second.resolved_by) == (Report.Status.DISMISSED, moderator)
    entries = AuditEntry.objects.filter(action__startswith="community.report_").order_by("id")
    assert [(e.action, e.target_id, e.reason) for e in entries] == [
        (audit.REPORT_RESOLVE, first.pk, "Hid it"),
        (audit.REPORT_DISMISS, second.pk, ""),
    ]


def test_admin_pages_render_the_content_and_change_nothing_by_form(client, moderator, post):
    client.force_login(moderator)
    page = client.get(reverse("admin:community_post_change", args=[post.pk])).content.decode()
    assert "<strong>bold</strong>" in page
    assert 'name="body"' not in page  # read-only: content changes go through its author
    listing = client.get(reverse("admin:community_post_changelist")).content.decode()
    assert "hide_posts" in listing and "delete_selected" not in listing


def test_a_staff_member_who_is_not_a_moderator_gets_no_moderation_admin(client, post):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    for model in ("post", "comment", "report"):
        assert client.get(reverse(f"admin:community_{model}_changelist")).status_code == 403
    response = admin_action(client, "post", "hide_posts", [post])
    post.refresh_from_db()
    assert post.hidden_at is None and response.status_code == 403


def test_a_report_closed_meanwhile_is_left_as_it_is(client, member, post):
    report = reports_for(member, post)[0]
    moderator = ModeratorFactory()
    services.dismiss_report(ModeratorFactory(), report=report)
    client.force_login(moderator)
    url = reverse("admin:community_report_changelist")
    client.post(url, {"action": "resolve_reports", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
