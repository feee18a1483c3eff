"""The moderation queue's decisions (one step: the action, the reports closed, the audit
log, the member told), auto-hide, roles and the audit log: services, pages and API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community import audit, selectors, services
from community.models import AuditEntry, Comment, Post, Report, Space, User
from community.services.moderation import hide_if_reported_enough
from messaging.models import Notification
from messaging.text import sentence
from tests.factories import (
    AdminFactory,
    CommentFactory,
    ModeratorFactory,
    PostFactory,
    UserFactory,
)
from tests.helpers import api_as, assert_constant_queries, run_at_once

pytestmark = pytest.mark.django_db

QUEUE_API = "/api/v1/moderation/queue/"
ACT_API = "/api/v1/moderation/actions/"
AUDIT_API = "/api/v1/audit/"


@pytest.fixture
def author(db):
    return UserFactory(display_name="Troll Tom")


@pytest.fixture
def post(space, author):
    return services.create_post(author, space=space, title="Great deal", body="Buy my stuff")


@pytest.fixture
def comment(post, author):
    return services.create_comment(author, post=post, body="Spam again")


def report_by(count, target):
    return [services.report(UserFactory(), target=target, reason=f"Spam {i}") for i in range(count)]


def notices_of(member):
    return list(Notification.objects.filter(recipient=member, kind="moderation"))


def actions_on(target):
    return list(
        AuditEntry.objects.filter(target_id=target.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- Decisions -----------------------------------------------------------------------------


def test_hiding_closes_every_report_audits_and_tells_the_author(committed, moderator, post, author):
    report_by(3, post)
    decision = committed(services.moderate, moderator, target=post, action="hide", reason="Selling")
    assert decision.reports_closed == 3
    post.refresh_from_db()
    assert post.hidden_at is not None
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}
    assert set(Report.objects.values_list("resolved_by", flat=True)) == {moderator.pk}
    assert actions_on(post) == [audit.POST_HIDE, audit.REPORT_RESOLVE]
    resolve = AuditEntry.objects.get(action=audit.REPORT_RESOLVE)
    assert resolve.actor == moderator and resolve.reason == "3 report(s), hide: Selling"
    (notice,) = notices_of(author)
    assert notice.data["what"] == "hidden" and notice.data["reason"] == "Selling"
    assert sentence(notice) == "A moderator hid your post “Great deal”: Selling"


def test_hiding_a_comment_closes_its_reports_audits_and_tells_the_author(
    committed, client, moderator, member, post, comment, author
):
    report_by(2, comment)
    decision = committed(services.moderate, moderator, target=comment, action="hide",
                         reason="Spam")  # fmt: skip
    assert decision.reports_closed == 2
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}
    assert actions_on(comment) == [audit.COMMENT_HIDE, audit.REPORT_RESOLVE]
    assert AuditEntry.objects.get(action=audit.COMMENT_HIDE).actor == moderator
    (notice,) = notices_of(author)
    assert (notice.data["what"], notice.data["on"]) == ("hidden", "comment")
    assert sentence(notice) == "A moderator hid your comment on “Great deal”: Spam"
    # The notice says the comment is no longer there: its author may not open it either.
    client.force_login(author)
    opened = client.get(reverse("messaging:open", args=[notice.pk]), follow=True)
    assert "no longer there" in opened.content.decode()
    assert "Spam again" not in opened.content.decode()


def test_hiding_a_comment_from_the_queue_page_and_the_api(client, moderator, post, author):
    first, second = (services.create_comment(author, post=post, body=b) for b in ("x", "y"))
    report_by(1, first)
    report_by(1, second)
    client.force_login(moderator)
    page = client.get(reverse("community:reports")).content.decode()
    assert 'name="action" value="hide"' in page.split(f'id="queue-comment-{first.pk}"')[1]
    data = {"target_type": "comment", "target_id": first.pk, "action": "hide"}
    page = client.post(reverse("community:moderate"), data, follow=True).content.decode()
    assert "Comment hidden; its author was told." in page
    answer = api_as(moderator).post(
        ACT_API, {"target_type": "comment", "target_id": second.pk, "action": "hide"}
    )
    assert answer.status_code == 200 and answer.json()["reports_closed"] == 1
    assert Comment.objects.filter(hidden_at__isnull=False).count() == 2
    hidden = api_as(moderator).get(QUEUE_API, {"status": "resolved"}).json()["results"]
    assert {(i["target_type"], i["state"]) for i in hidden} == {("comment", "hidden")}


def test_deleting_a_comment_tells_its_author(committed, moderator, comment, author):
    report_by(1, comment)
    committed(services.moderate, moderator, target=comment, action="delete", reason="Spam")
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert AuditEntry.objects.get(action=audit.COMMENT_DELETE).reason == "Spam"
    (notice,) = notices_of(author)
    assert notice.data["what"] == "deleted" and notice.target_id is None


def test_a_warning_needs_its_words_and_reaches_the_member(committed, moderator, post, author):
    report_by(1, post)
    with pytest.raises(ValidationError) as refused:
        services.moderate(moderator, target=post, action="warn", reason="  ")
    assert refused.value.message_dict["reason"] == ["Write the warning the member will read."]
    assert Report.objects.get().status == "open"
    committed(services.moderate, moderator, target=post, action="warn", reason="Be kind")
    post.refresh_from_db()
    assert post.hidden_at is None and post.deleted_at is None  # a warning leaves the post
    assert AuditEntry.objects.get(action=audit.WARN).target_id == author.pk
    (notice,) = notices_of(author)
    assert sentence(notice) == "A moderator warned you: Be kind"


def test_a_ban_with_an_end_is_mailed_to_the_member(committed, moderator, post, author, mailoutbox):
    report_by(2, post)
    until = timezone.now() + timedelta(days=7)
    committed(services.moderate, moderator, target=post, action="ban", reason="Spam", until=until)
    author.refresh_from_db()
    assert author.is_banned and author.banned_until == until and author.ban_reason == "Spam"
    assert notices_of(author) == []  # a banned member cannot open the app: a mail instead
    (mail,) = mailoutbox
    assert mail.to == [author.email] and "suspended" in mail.subject
    assert "Spam" in mail.body and "until" in mail.body


def test_dismissing_leaves_the_content_and_tells_nobody(committed, moderator, post, author):
    report_by(2, post)
    committed(services.moderate, moderator, target=post, action="dismiss", reason="Fine")
    post.refresh_from_db()
    assert post.hidden_at is None
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert actions_on(post) == [audit.REPORT_DISMISS]
    assert notices_of(author) == []


@pytest.mark.parametrize(
    ("target_name", "action", "until", "field"),
    [
        ("author", "hide", None, "action"),
        ("author", "delete", None, "action"),
        ("post", "hide", "future", "until"),
        ("post", "ban", "past", "until"),
        ("post", "promote", None, "action"),
    ],
)
def test_decisions_that_do_not_fit_are_refused_with_nothing_changed(
    request, moderator, post, comment, author, target_name, action, until, field
):
    target = {"post": post, "comment": comment, "author": author}[target_name]
    report_by(1, target)
    when = {"future": timezone.now() + timedelta(days=1), "past": timezone.now(), None: None}
    with pytest.raises(ValidationError) as refused:
        services.moderate(moderator, target=target, action=action, until=when[until])
    assert field in refused.value.error_dict
    assert Report.objects.get().status == "open"
    assert not AuditEntry.objects.exists()


def test_moderators_may_not_act_on_admins_or_their_content(moderator, space, committed):
    admin = AdminFactory()
    admins_post = services.create_post(admin, space=space, body="Announcement")
    report_by(1, admins_post)
    for action in ("hide", "delete", "ban", "warn"):
        with pytest.raises(PermissionDenied):
            services.moderate(moderator, target=admins_post, action=action, reason="x")
    with pytest.raises(PermissionDenied):
        services.moderate(moderator, target=admin, action="ban", reason="x")
    # Dismissing a report about an admin is the moderators' call.
    committed(services.moderate, moderator, target=admins_post, action="dismiss")
    # An admin may act on another admin's content.
    other_admin = AdminFactory()
    committed(services.moderate, other_admin, target=admins_post, action="hide", reason="Old")
    admins_post.refresh_from_db()
    assert admins_post.hidden_at is not None


def test_outside_the_queue_moderators_may_not_act_on_an_admins_content_either(
    moderator, space, client
):
    """The post's menu, the comment's buttons, the API and the admin site's actions go
    through the same access rules as the queue: a moderator is neither offered nor allowed
    to edit, delete, pin or hide an admin's post or comment, and is told why."""
    admin = AdminFactory()
    admins_post = PostFactory(space=space, author=admin)
    admins_comment = CommentFactory(post=admins_post, author=admin)
    writes = [
        lambda: services.edit_post(moderator, post=admins_post, body="Changed"),
        lambda: services.delete_post(moderator, post=admins_post),
        lambda: services.pin_post(moderator, post=admins_post),
        lambda: services.hide_post(moderator, post=admins_post),
        lambda: services.hide_comment(moderator, comment=admins_comment),
        lambda: services.delete_comment(moderator, comment=admins_comment),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied, match="Only admins may act on an admin's content"):
            write()
    api = api_as(moderator)
    for path in (
        f"/api/v1/posts/{admins_post.pk}/hide/",
        f"/api/v1/posts/{admins_post.pk}/pin/",
        f"/api/v1/comments/{admins_comment.pk}/hide/",
    ):
        response = api.post(path)
        assert response.status_code == 403, path
        assert "admin's content" in response.json()["detail"]
    assert api.delete(f"/api/v1/comments/{admins_comment.pk}/").status_code == 403
    assert not AuditEntry.objects.exists()
    admins_post.refresh_from_db()
    admins_comment.refresh_from_db()
    assert (admins_post.hidden_at, admins_post.pinned_at, admins_post.deleted_at) == (None,) * 3
    assert (admins_comment.hidden_at, admins_comment.deleted_at) == (None, None)
    # Neither menu is offered on the post's page; a member's post keeps them.
    members_post = PostFactory(space=space)
    client.force_login(moderator)
    page = client.get(reverse("community:post", args=[admins_post.pk])).content.decode()
    assert reverse("community:hide_post", args=[admins_post.pk]) not in page
    assert reverse("community:edit_post", args=[admins_post.pk]) not in page
    assert reverse("community:hide_comment", args=[admins_comment.pk]) not in page
    page = client.get(reverse("community:post", args=[members_post.pk])).content.decode()
    assert reverse("community:hide_post", args=[members_post.pk]) in page
    # Admins act on each other's content.
    services.hide_post(AdminFactory(), post=admins_post)
    services.hide_comment(AdminFactory(), comment=admins_comment)
    assert AuditEntry.objects.count() == 2


@pytest.mark.parametrize("author_factory", [UserFactory, AdminFactory], ids=["member", "admin"])
def test_a_member_refused_on_anothers_content_is_told_the_plain_reason(
    member, space, author_factory
):
    """Only a moderator is told about the admin rule: to a member, an admin's post is just
    someone else's."""
    post = PostFactory(space=space, author=author_factory())
    comment = CommentFactory(post=post, author=post.author)
    refusals = [
        (lambda: services.edit_post(member, post=post, body="Changed"), "may not change this post"),
        (lambda: services.hide_post(member, post=post), "Only moderators and admins may do this"),
        (lambda: services.pin_post(member, post=post), "Only moderators and admins may do this"),
        (lambda: services.delete_comment(member, comment=comment), "may not delete this comment"),
        (lambda: services.hide_comment(member, comment=comment), "Only moderators and admins"),
    ]
    for write, reason in refusals:
        with pytest.raises(PermissionDenied, match=reason) as refused:
            write()
        assert "admin" not in str(refused.value).replace("moderators and admins", "")
    response = api_as(member).post(f"/api/v1/posts/{post.pk}/hide/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only moderators and admins may do this."


def test_members_cannot_decide(member, post):
    report_by(1, post)
    with pytest.raises(PermissionDenied):
        services.moderate(member, target=post, action="dismiss")


# --- Auto-hide -----------------------------------------------------------------------------


def test_auto_hide_is_off_by_default(post):
    report_by(5, post)
    post.refresh_from_db()
    assert post.hidden_at is None


def test_enough_reports_hide_a_post_until_a_moderator_decides(
    settings, committed, moderator, post, author
):
    settings.AGORA_AUTO_HIDE_REPORTS = 3
    report_by(2, post)
    post.refresh_from_db()
    assert post.hidden_at is None
    report_by(1, post)
    post.refresh_from_db()
    assert post.hidden_at is not None
    entry = AuditEntry.objects.get(action=audit.POST_HIDE)
    assert entry.actor is None and entry.cause == "auto-hide" and "3 members" in entry.reason
    # Hidden now, members can no longer report it; a late second check hides nothing twice.
    assert hide_if_reported_enough(post) is False
    assert AuditEntry.objects.filter(action=audit.POST_HIDE).count() == 1
    # Dismissing the reports brings the post back.
    committed(services.moderate, moderator, target=post, action="dismiss")
    post.refresh_from_db()
    assert post.hidden_at is None
    assert actions_on(post)[-2:] == [audit.POST_UNHIDE, audit.REPORT_DISMISS]


def test_dismissing_keeps_a_post_a_moderator_hid(settings, committed, moderator, post):
    settings.AGORA_AUTO_HIDE_REPORTS = 2
    report_by(1, post)
    services.hide_post(moderator, post=post, reason="Off-topic")
    committed(services.moderate, moderator, target=post, action="dismiss")
    post.refresh_from_db()
    assert post.hidden_at is not None


def test_enough_reports_hide_a_comment_until_a_moderator_decides(
    settings, committed, moderator, member, post, comment, author
):
    settings.AGORA_AUTO_HIDE_REPORTS = 2
    report_by(1, comment)
    comment.refresh_from_db()
    assert comment.hidden_at is None
    report_by(1, comment)
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert selectors.comments_for(member, post).items == []
    entry = AuditEntry.objects.get(action=audit.COMMENT_HIDE)
    assert entry.actor is None and entry.cause == "auto-hide" and "2 members" in entry.reason
    assert hide_if_reported_enough(comment) is False  # hidden once
    committed(services.moderate, moderator, target=comment, action="dismiss")
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert actions_on(comment)[-2:] == [audit.COMMENT_UNHIDE, audit.REPORT_DISMISS]
    assert notices_of(author) == []  # the reports hid it, nobody decided against the author


def test_a_moderator_dismissing_reports_brings_back_an_admins_auto_hidden_content(
    settings, committed, moderator, space
):
    """Only admins act on an admin's content, but the reports' own hiding was nobody's
    decision: dismissing them is the moderators' call and restores it."""
    settings.AGORA_AUTO_HIDE_REPORTS = 1
    admin = AdminFactory()
    admins_post = services.create_post(admin, space=space, body="Announcement")
    admins_comment = services.create_comment(admin, post=admins_post, body="Details")
    for target in (admins_post, admins_comment):
        report_by(1, target)
        target.refresh_from_db()
        assert target.hidden_at is not None
        committed(services.moderate, moderator, target=target, action="dismiss")
        target.refresh_from_db()
        assert target.hidden_at is None
        assert not Report.objects.filter(status="open").exists()


def test_members_are_never_auto_hidden(settings, author):
    settings.AGORA_AUTO_HIDE_REPORTS = 1
    report_by(2, author)
    assert not AuditEntry.objects.exists()


# --- The queue: page and API ----------------------------------------------------------------


def test_the_queue_groups_reports_by_target_newest_first(client, moderator, post, comment):
    report_by(3, post)
    report_by(1, comment)
    api = api_as(moderator)
    body = api.get(QUEUE_API).json()
    assert [(i["target_type"], i["report_count"]) for i in body["results"]] == [
        ("comment", 1),
        ("post", 3),
    ]
    post_item = body["results"][1]
    assert post_item["label"] == "Great deal" and post_item["author"]["display_name"] == "Troll Tom"
    assert len(post_item["reports"]) == 3 and post_item["state"] == ""
    # Paged by cursor: one target a page.
    first = api.get(QUEUE_API, {"size": 1}).json()
    second = api.get(QUEUE_API, {"size": 1, "cursor": first["next_cursor"]}).json()
    assert [i["target_type"] for i in first["results"] + second["results"]] == ["comment", "post"]
    assert second["next_cursor"] is None


def test_the_queue_shows_at_most_five_reports_a_target(client, moderator, post):
    report_by(7, post)
    client.force_login(moderator)
    page = client.get(reverse("community:reports")).content.decode()
    assert "7 reports" in page and "and 2 more" in page
    assert page.count('class="report-item__reason"') == 5


def test_the_queue_costs_the_same_for_3_or_12_targets(client, moderator, space, author):
    def add(count):
        for _ in range(count // 3):
            post = Post.objects.create(space=space, author=author, body="x", body_html="x")
            comment = Comment.objects.create(post=post, author=author, body="y", body_html="y")
            for target in (post, comment, UserFactory()):
                for reporter in (UserFactory(), UserFactory()):
                    Report.objects.create(reporter=reporter, target=target, reason="Spam")

    client.force_login(moderator)
    api = api_as(moderator)
    add(3)
    assert_constant_queries(
        {"api": lambda: api.get(QUEUE_API), "page": lambda: client.get("/moderation/reports/")},
        grow=lambda: add(9),
        # The groups, their newest reports, one query per kind of target (3); the page adds
        # session and viewer (2) and the sidebar (up to 3).
        bound={"api": 5, "page": 10},
        warm_up=True,
    )


def test_the_api_decides_and_names_bad_fields(moderator, post, author):
    report_by(1, post)
    api = api_as(moderator)
    bad = api.post(ACT_API, {"target_type": "post", "target_id": post.pk, "action": "warn"})
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    bad = api.post(ACT_API, {"target_type": "space", "target_id": 1, "action": "hide"})
    assert bad.status_code == 400 and "target_type" in bad.json()["fields"]
    bad = api.post(ACT_API, {"target_type": "post", "target_id": 999999, "action": "hide"})
    assert bad.status_code == 400 and "target_id" in bad.json()["fields"]
    bad = api.post(ACT_API, {"target_type": "post", "target_id": post.pk, "action": "hide",
                             "colour": "red"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "colour" in bad.json()["fields"]
    until = (timezone.now() + timedelta(days=1)).isoformat()
    done = api.post(
        ACT_API,
        {"target_type": "post", "target_id": post.pk, "action": "ban", "reason": "x",
         "until": until},
        format="json",
    )  # fmt: skip
    assert done.status_code == 200, done.content
    assert done.json() == {"action": "ban", "target_type": "post", "target_id": post.pk,
                           "reports_closed": 1}  # fmt: skip
    author.refresh_from_db()
    assert author.is_banned


def test_every_moderation_url_is_refused_to_members_and_visitors(client, member, post):
    report_by(1, post)
    act = {"target_type": "post", "target_id": post.pk, "action": "hide"}
    assert client.get("/moderation/reports/").status_code == 302
    assert client.post(reverse("community:moderate"), act).status_code == 302
    assert client.get(reverse("community:audit_log")).status_code == 302
    for who in (None, member):
        api = api_as(who) if who else api_as(None)
        assert api.get(QUEUE_API).status_code in (401, 403)
        assert api.post(ACT_API, act).status_code in (401, 403)
        assert api.get(AUDIT_API).status_code in (401, 403)
    client.force_login(member)
    assert client.get("/moderation/reports/").status_code == 403
    assert client.post(reverse("community:moderate"), act).status_code == 403
    assert client.get(reverse("community:audit_log")).status_code == 403
    post.refresh_from_db()
    assert post.hidden_at is None


# --- Roles -----------------------------------------------------------------------------------


def test_an_admin_makes_a_member_moderator_audited(admin, member):
    services.change_role(admin, member=member, role="moderator", reason="Helps a lot")
    member.refresh_from_db()
    assert member.role == "moderator" and member.is_staff
    entry = AuditEntry.objects.get(action=audit.ROLE)
    assert entry.actor == admin and entry.reason == "Member → Moderator: Helps a lot"
    services.change_role(admin, member=member, role="member")
    member.refresh_from_db()
    assert member.role == "member" and not member.is_staff


def test_the_last_admin_cannot_step_down(admin):
    with pytest.raises(ValidationError) as refused:
        services.change_role(admin, member=admin, role="member")
    assert refused.value.code == "last_admin"
    admin.refresh_from_db()
    assert admin.role == "admin"
    with pytest.raises(PermissionDenied):  # nor ban themselves
        services.moderate(admin, target=admin, action="ban", reason="x")
    second = AdminFactory()
    services.change_role(admin, member=admin, role="member")  # another admin remains
    assert User.objects.get(pk=admin.pk).role == "member"
    assert User.objects.get(pk=second.pk).role == "admin"


def test_only_admins_change_roles(moderator, member):
    with pytest.raises(PermissionDenied):
        services.change_role(moderator, member=member, role="moderator")
    with pytest.raises(ValidationError):
        services.change_role(AdminFactory(), member=member, role="owner")


def test_roles_on_the_profile_page_and_in_the_api(client, admin, member, moderator):
    client.force_login(admin)
    page = client.get(reverse("community:profile", args=[member.pk])).content.decode()
    assert reverse("community:change_role", args=[member.pk]) in page
    response = client.post(reverse("community:change_role", args=[member.pk]),
                           {"role": "moderator", "reason": ""}, follow=True)  # fmt: skip
    assert "is now Moderator" in response.content.decode()
    answer = api_as(admin).post(f"/api/v1/members/{member.pk}/role/", {"role": "admin"})
    assert answer.status_code == 200 and answer.json() == {"id": member.pk, "role": "admin"}
    refused = api_as(moderator).post(f"/api/v1/members/{member.pk}/role/", {"role": "member"})
    assert refused.status_code == 403
    bad = api_as(admin).post(f"/api/v1/members/{member.pk}/role/", {"role": "owner"})
    assert bad.status_code == 400 and "role" in bad.json()["fields"]
    client.force_login(moderator)
    assert (
        reverse("community:change_role", args=[member.pk])
        not in client.get(reverse("community:profile", args=[member.pk])).content.decode()
    )
    assert client.post(reverse("community:change_role", args=[member.pk]),
                       {"role": "member"}).status_code == 403  # fmt: skip


# --- The audit log -------------------------------------------------------------------------


def test_admins_browse_and_filter_the_log(client, admin, committed, post, author):
    moderator = ModeratorFactory(display_name="Max Mod")
    report_by(1, post)
    committed(services.moderate, moderator, target=post, action="hide", reason="Selling")
    services.ban_member(moderator, member=author, reason="Repeat")
    client.force_login(admin)
    page = client.get(reverse("community:audit_log")).content.decode()
    assert "Max Mod" in page and "<td>Hid a post</td>" in page
    assert "<td>Banned a member</td>" in page
    page = client.get(reverse("community:audit_log"), {"action": audit.BAN}).content.decode()
    assert "<td>Banned a member</td>" in page and "<td>Hid a post</td>" not in page
    api = api_as(admin)
    body = api.get(AUDIT_API, {"target_type": "community.post", "target_id": post.pk}).json()
    assert [e["action"] for e in body["results"]] == [audit.REPORT_RESOLVE, audit.POST_HIDE]
    assert body["results"][1]["actor"]["display_name"] == "Max Mod"
    assert body["results"][1]["target_type"] == "community.post"
    body = api.get(AUDIT_API, {"actor": moderator.pk, "size": 1}).json()
    assert len(body["results"]) == 1 and body["next_cursor"]
    today = timezone.localdate().isoformat()
    assert len(api.get(AUDIT_API, {"since": today, "until": today}).json()["results"]) == 3


def test_bad_log_filters_are_named(client, admin):
    client.force_login(admin)
    page = client.get(reverse("community:audit_log"),
                      {"since": "2026-05-02", "until": "2026-05-01"}).content.decode()  # fmt: skip
    assert "The end comes before the start." in page
    api = api_as(admin)
    for query, field in [
        ({"target_type": "nope.model"}, "target_type"),
        ({"action": "community.fly"}, "action"),
        ({"target_id": 3}, "target_id"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "until"),
    ]:
        answer = api.get(AUDIT_API, query)
        assert answer.status_code == 400 and field in answer.json()["fields"], query


def test_moderators_do_not_read_the_log(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("community:audit_log")).status_code == 403
    assert api_as(moderator).get(AUDIT_API).status_code == 403


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_close_the_reports_once():
    space = Space.objects.create(name="Busy", slug="busy", visibility="members")
    post = Post.objects.create(space=space, author=UserFactory(), body="p", body_html="p")
    for reporter in (UserFactory(), UserFactory()):
        Report.objects.create(reporter=reporter, target=post, reason="Spam")
    moderators = [ModeratorFactory(), ModeratorFactory()]
    decisions = []

    def decide(i):  # each with the post as its own request would load it
        target = Post.objects.select_related("author").get(pk=post.pk)
        decisions.append(services.moderate(moderators[i], target=target, action="hide"))

    run_at_once(2, decide)
    assert sorted(d.reports_closed for d in decisions) == [0, 2]
    assert AuditEntry.objects.filter(action=audit.REPORT_RESOLVE).count() == 1
    assert AuditEntry.objects.filter(action=audit.POST_HIDE).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_stepping_down_at_once_leave_one_admin():
    admins = [AdminFactory(), AdminFactory()]
    refused = []

    def step_down(i):
        try:
            services.change_role(admins[i], member=admins[i], role="member")
        except ValidationError as error:
            refused.append(error.code)

    run_at_once(2, step_down)
    assert refused == ["last_admin"]
    assert User.objects.filter(role="admin").count() == 1


def test_the_queue_says_why_a_moderator_may_not_act_on_an_admin(client, moderator, space):
    admins_post = services.create_post(AdminFactory(), space=space, body="Announcement")
    report_by(1, admins_post)
    client.force_login(moderator)
    data = {"target_type": "post", "target_id": admins_post.pk, "action": "hide"}
    page = client.post(reverse("community:moderate"), data, follow=True).content.decode()
    assert "Only admins may act on an admin" in page
    admins_post.refresh_from_db()
    assert admins_post.hidden_at is None
