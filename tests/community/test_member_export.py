"""The admins' member export to CSV (issue 18, item 5): every member with their tiers, last
activity and the columns other apps add (gamification's points and level), streamed in
batches from the page and the API, formula-safe, and written to the audit log."""

import csv
import io
import warnings
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from asgiref.sync import async_to_sync
from django.db.models import Count
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from community.csv_export import neutralise_formula
from community.models import AuditEntry, User
from community.selectors import member_export
from community.services import members as member_services
from gamification.models import Level, Score
from tests.community.test_directory import make_members
from tests.factories import (
    AccessGrantFactory,
    CommentFactory,
    PostFactory,
    TierFactory,
    UserFactory,
)
from tests.helpers import api_as, assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db

API = "/api/v1/members/export/"
HEADER = ["name", "email", "handle", "role", "joined", "tiers", "last active", "points", "level"]


def page_url():
    return reverse("community:export_members")


def signed_in(client, user):
    client.force_login(user)
    return client


def read_rows(response):
    """The CSV's rows (the header first), read from the stream as a browser would."""
    assert response.status_code == 200, response.status_code
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def by_handle(rows):
    header, *lines = rows
    return {line[header.index("handle")]: dict(zip(header, line, strict=True)) for line in lines}


def in_batches_of(monkeypatch, size):
    """The export as the service makes it, `size` members per batch instead of 2,000."""
    batches = partial(member_export.member_export_batches, batch_size=size)
    monkeypatch.setattr(member_services, "member_export_batches", batches)


def score(member, points):
    """A member's score as recompute_score leaves it (the level the points reach)."""
    reached = Level.objects.filter(threshold__lte=points).order_by("-threshold").first()
    Score.objects.update_or_create(member=member, defaults={"points": points, "level": reached})


# --- Who may export --------------------------------------------------------------------------


def test_members_and_moderators_are_refused_on_the_page_and_the_api(client, member, moderator):
    for user in (member, moderator):
        assert signed_in(client, user).get(page_url()).status_code == 403
        response = api_as(user).get(API)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert not AuditEntry.objects.filter(action="community.members_exported").exists()


def test_a_visitor_is_sent_to_sign_in_and_refused_by_the_api(client, admin):
    response = client.get(page_url())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={page_url()}"
    response = api_as(None).get(API)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_refusals_are_json_even_when_the_client_asks_for_csv(member, admin):
    response = api_as(member).get(API, HTTP_ACCEPT="text/csv")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    rows = read_rows(api_as(admin).get(API, HTTP_ACCEPT="text/csv"))
    assert len(rows) == 1 + User.objects.count()


def test_the_directory_links_to_the_export_for_admins_only(client, member, moderator, admin):
    link = f'href="{page_url()}"'
    assert link in signed_in(client, admin).get(reverse("community:directory")).text
    for user in (member, moderator):
        assert link not in signed_in(client, user).get(reverse("community:directory")).text


# --- What it holds ---------------------------------------------------------------------------


def test_an_admin_gets_one_row_per_member_with_tiers_activity_points_and_level(client, admin):
    ana = UserFactory(display_name="Ana Lima", email="ana@example.com", handle="ana",
                      created_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
                      last_login=datetime(2025, 1, 1, tzinfo=UTC))  # fmt: skip
    bo = UserFactory(display_name="Bo", handle="bo", role=User.Role.MODERATOR, last_login=None)
    UserFactory(display_name="Quiet", handle="quiet", last_login=None, is_active=False)
    gold, pro = TierFactory(name="Gold"), TierFactory(name="Pro")
    AccessGrantFactory(user=ana, tier=pro)
    AccessGrantFactory(user=ana, tier=pro, source="payment")  # held twice, listed once
    AccessGrantFactory(user=ana, tier=gold)
    AccessGrantFactory(user=ana, tier=TierFactory(name="Old"), expired=True)
    AccessGrantFactory(user=ana, tier=TierFactory(name="Soon"), future=True)
    AccessGrantFactory(user=bo, tier=TierFactory(name="Gone"), revoked=True)
    PostFactory(author=ana, created_at=datetime(2025, 3, 1, 12, tzinfo=UTC))
    CommentFactory(author=ana, created_at=datetime(2025, 2, 1, tzinfo=UTC))
    CommentFactory(author=bo, created_at=datetime(2025, 4, 2, 10, 30, tzinfo=UTC))
    score(ana, 120)

    page = read_rows(signed_in(client, admin).get(page_url()))
    assert page[0] == HEADER
    rows = by_handle(page)
    assert len(rows) == User.objects.count()  # everyone once: the admin, the posts' authors…
    assert rows["ana"] == {
        "name": "Ana Lima", "email": "ana@example.com", "handle": "ana", "role": "member",
        "joined": "2024-05-06T07:08:09Z", "tiers": "Gold; Pro",
        "last active": "2025-03-01T12:00:00Z",  # her post, after her last sign-in
        "points": "120", "level": "Contributor",
    }  # fmt: skip
    assert rows["bo"]["role"] == "moderator"
    assert rows["bo"]["tiers"] == ""
    assert rows["bo"]["last active"] == "2025-04-02T10:30:00Z"  # a comment, never signed in
    assert (rows["bo"]["points"], rows["bo"]["level"]) == ("0", "")  # no score yet
    assert rows["quiet"]["last active"] == ""  # deactivated, still exported
    assert rows[admin.handle]["role"] == "admin"
    assert read_rows(api_as(admin).get(API)) == page


def test_the_file_is_an_attachment_named_for_today(client, admin):
    response = signed_in(client, admin).get(page_url())
    name = f"members-{timezone.localdate():%Y-%m-%d}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert "no-store" in response["Cache-Control"]
    assert api_as(admin).get(API)["Content-Disposition"] == f'attachment; filename="{name}"'


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("https://evil.example/?x","Click")', "+1", "-2", "@x", "\tx", "\rx"]
)
def test_cells_a_spreadsheet_would_run_as_a_formula_start_with_a_quote(client, admin, name):
    target = UserFactory(display_name=name, handle="target")
    AccessGrantFactory(user=target, tier=TierFactory(name="=1+1"))
    row = by_handle(read_rows(signed_in(client, admin).get(page_url())))["target"]
    assert row["name"] == f"'{name}"
    assert row["tiers"] == "'=1+1"


def test_neutralise_formula_leaves_ordinary_text_as_it_is():
    for text in ("Ana", "", "a=b", "1+1", "x@example.com", " =1"):
        assert neutralise_formula(text) == text
    assert neutralise_formula("=1") == "'=1"


def test_an_app_adds_columns_that_the_batch_query_carries(client, admin, monkeypatch):
    monkeypatch.setattr(member_export, "_columns", dict(member_export._columns))
    PostFactory(author=admin)
    PostFactory(author=admin)
    api = api_as(admin)
    api.get(API)  # warm: content types
    before, _rows = count_queries(lambda: read_rows(api.get(API)))
    for _ in range(2):  # as a second AppConfig.ready would: the columns are there once
        member_export.register_member_export_columns(
            ["posts"],
            annotate=lambda members: members.annotate(post_total=Count("posts")),
            values=lambda member: [member.post_total],
        )
    after, rows = count_queries(lambda: read_rows(api.get(API)))
    assert rows[0] == [*HEADER, "posts"]
    assert by_handle(rows)[admin.handle]["posts"] == "2"
    assert after == before


# --- Streamed in batches ---------------------------------------------------------------------


def test_the_query_count_is_fixed_within_a_batch(client, admin):
    """Page: the session and the admin (2), the audit entry (1), the batch of members with
    their annotations (1) and their tiers (1). The API, authenticated without a query: 3."""
    make_members(5)
    page, api = signed_in(client, admin), api_as(admin)

    def fetch(export):
        return lambda: read_rows(export())

    def grow():
        members = make_members(5)
        for member in members:
            AccessGrantFactory(user=member, tier=TierFactory(name="Pro", slug="pro"))
            score(member, 30)

    assert_constant_queries(
        {"page": fetch(lambda: page.get(page_url())), "api": fetch(lambda: api.get(API))},
        grow=grow, bound={"page": 5, "api": 3}, warm_up=True,
    )  # fmt: skip


def test_the_queries_grow_by_two_per_batch_only(admin, monkeypatch):
    in_batches_of(monkeypatch, 4)
    make_members(2)
    api = api_as(admin)
    api.get(API)  # warm: content types
    counts, row_counts = [], []
    for _ in range(3):  # 3, 7, then 11 members: one, two, then three batches
        count, rows = count_queries(lambda: read_rows(api.get(API)))
        counts.append(count)
        row_counts.append(len(rows) - 1)
        make_members(4)
    assert row_counts == [3, 7, 11]
    assert counts[1] - counts[0] == 2 and counts[2] - counts[1] == 2


def test_members_are_read_only_as_the_response_is_sent(admin, monkeypatch):
    """A batch at a time, in id order, none of it before the stream is read: the response
    holds at most one batch of members at any time."""
    in_batches_of(monkeypatch, 2)
    make_members(4)  # 5 members with the admin: batches of 2, 2 and 1
    response = api_as(admin).get(API)
    queries, chunks = count_queries(lambda: list(response.streaming_content))
    assert queries == 3 * 2  # members and tiers of each batch
    assert len(chunks) == 1 + 3  # the header, then one chunk per batch
    handles = [row[2] for chunk in chunks[1:] for row in csv.reader(io.StringIO(chunk.decode()))]
    assert handles == list(User.objects.order_by("pk").values_list("handle", flat=True))


def test_over_asgi_the_file_streams_asynchronously(admin):
    """Daphne and the other ASGI servers read an async stream as it comes; a plain generator
    Django would read whole, with a warning, before sending anything."""
    make_members(3)
    client = AsyncClient()
    client.force_login(admin)

    async def export():
        response = await client.get(page_url())
        assert response.status_code == 200 and response.is_async
        return b"".join([chunk async for chunk in response.streaming_content])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        body = async_to_sync(export)().decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == HEADER
    assert len(rows) == 1 + User.objects.count()


# --- Audited ---------------------------------------------------------------------------------


def test_each_export_is_in_the_audit_log(client, admin):
    read_rows(signed_in(client, admin).get(page_url()))
    read_rows(api_as(admin).get(API))
    entries = AuditEntry.objects.filter(action="community.members_exported")
    assert entries.count() == 2
    for entry in entries:
        assert entry.actor == admin and entry.target_id == admin.pk
        assert entry.reason == f"Columns: {', '.join(HEADER)}"
        assert entry.created_at > timezone.now() - timedelta(minutes=1)
