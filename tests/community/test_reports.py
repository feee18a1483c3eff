import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from community import audit, services
from community.models import AuditEntry, Comment, Post, Report, Space, Tier, User
from tests.factories import UserFactory
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/reports/"


@pytest.fixture
def author(db):
    return UserFactory(display_name="Troll Tom")


@pytest.fixture
def post(space, author):
    return Post.objects.create(space=space, author=author, body="Buy my stuff",
                               body_html="<p>Buy my stuff</p>")  # fmt: skip


@pytest.fixture
def comment(post, author):
    return Comment.objects.create(post=post, author=author, body="Spam again",
                                  body_html="<p>Spam again</p>")  # fmt: skip


@pytest.fixture
def paid_post(author):
    tier = Tier.objects.create(name="Pro", slug="pro")
    paid = Space.objects.create(name="Pro", slug="pro", visibility="paid", required_tier=tier)
    return Post.objects.create(space=paid, author=author, body="Pro only", body_html="<p>P</p>")


# --- Reporting ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["post", "comment", "author"])
def test_a_member_reports_a_post_a_comment_or_a_member(member, kind, request):
    target = request.getfixturevalue(kind)
    report = services.report(member, target=target, reason="  Spam  ")
    assert report.status == Report.Status.OPEN
    assert report.reason == "Spam"
    assert report.target == target and report.reporter == member


def test_reporting_twice_is_refused_with_a_clear_message(member, post):
    services.report(member, target=post, reason="Spam")
    with pytest.raises(ValidationError) as refused:
        services.report(member, target=post, reason="Still spam")
    assert "already reported this post" in str(refused.value)
    assert Report.objects.count() == 1


def test_two_members_may_report_the_same_post(member, other_member, post):
    services.report(member, target=post, reason="Spam")
    services.report(other_member, target=post, reason="Spam too")
    assert Report.objects.filter(object_id=post.pk).count() == 2


def test_reporting_a_post_one_may_not_see_looks_missing(member, paid_post):
    with pytest.raises(Http404):
        services.report(member, target=paid_post, reason="?")
    response = api_as(member).post(
        REPORTS, {"target_type": "post", "target_id": paid_post.pk, "reason": "?"}
    )
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_reporting_a_deleted_post_or_a_private_member_looks_missing(member, post):
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])
    with pytest.raises(Http404):
        services.report(member, target=post, reason="Spam")
    shy = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    with pytest.raises(Http404):
        services.report(member, target=shy, reason="Spam")


def test_nobody_reports_themself_or_their_own_post(author, post):
    for target in (author, post):
        with pytest.raises(ValidationError) as refused:
            services.report(author, target=target, reason="Oops")
        assert "yourself" in str(refused.value)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_the_reason_is_required_and_at_most_2000_characters(member, post, reason):
    with pytest.raises(ValidationError) as refused:
        services.report(member, target=post, reason=reason)
    assert "reason" in refused.value.message_dict
    assert not Report.objects.exists()


def test_a_banned_member_cannot_report(member, post):
    member.banned_at = timezone.now()
    member.save(update_fields=["banned_at"])
    with pytest.raises(PermissionDenied):
        services.report(member, target=post, reason="Spam")


def test_the_api_reports_and_refuses_a_second_report(member, comment):
    client = api_as(member)
    payload = {"target_type": "comment", "target_id": comment.pk, "reason": "Spam"}
    response = client.post(REPORTS, payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["target_type"], body["target_id"], body["status"]) == ("comment", comment.pk,
                                                                        "open")  # fmt: skip
    again = client.post(REPORTS, payload, format="json")
    assert again.status_code == 400
    assert "already reported this comment" in again.json()["fields"]["non_field_errors"][0]


def test_the_api_names_the_bad_fields(member, post):
    client = api_as(member)
    response = client.post(REPORTS, {"target_type": "space", "target_id": 1, "reason": "x"})
    assert response.status_code == 400 and "target_type" in response.json()["fields"]
    response = client.post(REPORTS, {"target_type": "post", "target_id": post.pk, "reason": ""})
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = client.post(REPORTS, {"target_type": "member", "target_id": 999999, "reason": "x"})
    assert response.status_code == 404


# --- The report page ---------------------------------------------------------------------


def test_the_report_page_shows_the_target_and_sends_the_report(member_client, member, post):
    url = f"{reverse('community:report')}?type=post&id={post.pk}"
    page = member_client.get(url)
    assert page.status_code == 200 and "Buy my stuff" in page.content.decode()
    response = member_client.post(
        reverse("community:report"), {"type": "post", "id": post.pk, "reason": "Spam"}
    )
    assert response.status_code == 302
    assert Report.objects.get().reporter == member
    again = member_client.post(
        reverse("community:report"), {"type": "post", "id": post.pk, "reason": "Spam"}
    )
    assert again.status_code == 400 and "already reported" in again.content.decode()


def test_the_report_page_hides_what_the_member_may_not_see(member_client, paid_post):
    url = f"{reverse('community:report')}?type=post&id={paid_post.pk}"
    assert member_client.get(url).status_code == 404
    assert member_client.get(f"{reverse('community:report')}?type=space&id=1").status_code == 404
    assert member_client.get(f"{reverse('community:report')}?type=post&id=abc").status_code == 404


# --- Moderators --------------------------------------------------------------------------


def test_moderators_list_open_reports_newest_first(moderator, member, post, comment, author):
    first = services.report(member, target=post, reason="Spam")
    second = services.report(member, target=comment, reason="Spam")
    third = services.report(member, target=author, reason="Troll")
    body = api_as(moderator).get(REPORTS).json()
    assert [r["id"] for r in body["results"]] == [third.pk, second.pk, first.pk]
    assert body["results"][0]["target_type"] == "member"
    assert body["results"][0]["target_label"].startswith("Troll Tom")
    assert body["results"][2]["target_label"] == "Buy my stuff"
    assert body["results"][0]["reporter"]["id"] == member.pk


def test_moderators_resolve_and_dismiss_with_an_audit_entry(moderator, member, post, comment):
    to_resolve = services.report(member, target=post, reason="Spam")
    to_dismiss = services.report(member, target=comment, reason="Meh")
    client = api_as(moderator)
    response = client.post(f"{REPORTS}{to_resolve.pk}/resolve/", {"note": "Hid the post"})
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    response = client.post(f"{REPORTS}{to_dismiss.pk}/dismiss/")
    assert response.json()["status"] == "dismissed"
    assert response.json()["resolved_by"]["id"] == moderator.pk
    entries = AuditEntry.objects.filter(action__startswith="community.report_").order_by("id")
    assert [(e.action, e.target_id, e.reason) for e in entries] == [
        (audit.REPORT_RESOLVE, to_resolve.pk, "Hid the post"),
        (audit.REPORT_DISMISS, to_dismiss.pk, ""),
    ]
    assert api_as(moderator).get(REPORTS).json()["results"] == []
    closed = api_as(moderator).get(REPORTS, {"status": "resolved"}).json()["results"]
    assert [r["id"] for r in closed] == [to_resolve.pk]


def test_a_closed_report_cannot_be_closed_again(moderator, member, post):
    report = services.report(member, target=post, reason="Spam")
    services.resolve_report(moderator, report=report)
    with pytest.raises(ValidationError) as refused:
        services.dismiss_report(moderator, report=report)
    assert "already resolved" in str(refused.value)
    assert AuditEntry.objects.filter(action__startswith="community.report_").count() == 1


def test_members_cannot_see_or_handle_reports(member, other_member, post):
    report = services.report(other_member, target=post, reason="Spam")
    client = api_as(member)
    assert client.get(REPORTS).status_code == 403
    assert client.post(f"{REPORTS}{report.pk}/resolve/").status_code == 403
    assert client.post(f"{REPORTS}{report.pk}/dismiss/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.resolve_report(member, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN
    assert not AuditEntry.objects.filter(action__startswith="community.report_").exists()


def test_the_moderators_page_lists_and_decides(client, moderator, member, post, author):
    services.report(member, target=post, reason="Selling stuff")
    services.report(member, target=author, reason="Rude to everyone")
    client.force_login(moderator)
    page = client.get(reverse("community:reports")).content.decode()
    assert "Selling stuff" in page and "Rude to everyone" in page and "Buy my stuff" in page
    response = client.post(
        reverse("community:moderate"),
        {"target_type": "post", "target_id": post.pk, "action": "dismiss", "reason": "Fine"},
    )
    assert response.status_code == 302
    report = Report.objects.get(object_id=post.pk, content_type__model="post")
    assert report.status == Report.Status.DISMISSED and report.resolved_by == moderator


def test_members_get_no_moderators_page(member_client, member, other_member, post):
    services.report(other_member, target=post, reason="Spam")
    assert member_client.get(reverse("community:reports")).status_code == 403
    data = {"target_type": "post", "target_id": post.pk, "action": "dismiss"}
    assert member_client.post(reverse("community:moderate"), data).status_code == 403
    assert Report.objects.get().status == Report.Status.OPEN


def test_the_queue_costs_the_same_with_3_or_30_reports(moderator, space, author):
    def add_reports(count):
        for _ in range(count // 3):
            reporter = User.objects.create(email=f"r{User.objects.count()}@example.com",
                                           display_name="Reporter")  # fmt: skip
            post = Post.objects.create(space=space, author=author, body="x", body_html="x")
            comment = Comment.objects.create(post=post, author=author, body="y", body_html="y")
            for target in (post, comment, author):
                Report.objects.create(reporter=reporter, target=target, reason="Spam")

    client = api_as(moderator)
    page_client = APIClient()
    page_client.force_login(moderator)
    add_reports(3)
    assert_constant_queries(
        {
            "api": lambda: client.get(REPORTS),
            "page": lambda: page_client.get(reverse("community:reports")),
        },
        grow=lambda: add_reports(27),
        # API: the reports with reporter, resolver and content type (1), then one query per
        # kind of target among them (posts with authors, comments with authors, members: 3).
        # Page: the targets grouped (1), their newest reports (1), one query per kind of
        # target (3), session and viewer (2) and base.html's sidebar (up to 3).
        bound={"api": 4, "page": 10},
        warm_up=True,
    )
