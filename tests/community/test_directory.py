from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from community import selectors, services
from community.models import Post, Space, Tier, User
from tests.factories import AdminFactory, ModeratorFactory, UserFactory
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db
MEMBERS = "/api/v1/members/"


def ids(page):
    return [member.pk for member in page.items]


def api_ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def make_members(count, **fields):
    """Members who joined one minute apart, oldest first (bulk: no password hashing)."""
    start = timezone.now() - timedelta(days=1)
    first = User.objects.count()
    return User.objects.bulk_create(
        User(email=f"bulk{first + i}@example.com", handle=f"bulk-{first + i}",
             display_name=f"Bulk Member {first + i}", created_at=start + timedelta(minutes=i),
             **fields)
        for i in range(count)
    )  # fmt: skip


def make_posts(author, space, count):
    return Post.objects.bulk_create(
        Post(space=space, author=author, body=f"Post {i}", body_html=f"<p>Post {i}</p>",
             created_at=timezone.now() - timedelta(minutes=count - i))
        for i in range(count)
    )  # fmt: skip


# --- Visibility --------------------------------------------------------------------------


def test_private_members_never_appear_in_another_members_directory(member):
    shy = UserFactory(display_name="Shy Sam", profile_visibility=User.Visibility.PRIVATE)
    UserFactory(display_name="Open Sam")
    names = {m.display_name for m in selectors.directory(member, q="sam").items}
    assert names == {"Open Sam"}
    assert shy.pk not in api_ids(api_as(member).get(MEMBERS, {"q": "sam"}))
    assert shy.pk not in api_ids(api_as(member).get(MEMBERS, {"q": shy.handle}))
    page = api_as(member).get(MEMBERS, {"sort": "name", "size": 100})
    assert shy.pk not in api_ids(page)


def test_moderators_and_the_member_themself_see_a_private_profile(member):
    shy = UserFactory(display_name="Shy Sam", profile_visibility=User.Visibility.PRIVATE)
    assert shy.pk in ids(selectors.directory(ModeratorFactory(), q="shy"))
    assert shy.pk in ids(selectors.directory(shy, q="shy"))


def test_inactive_members_are_not_listed(member):
    gone = UserFactory(is_active=False)
    assert gone.pk not in ids(selectors.directory(member, size=100))


def test_the_directory_page_needs_a_signed_in_member(client):
    response = client.get(reverse("community:directory"))
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert APIClient().get(MEMBERS).status_code == 401


# --- Search, filters, sorting ------------------------------------------------------------


def test_search_finds_members_by_name_or_handle(member):
    ada = UserFactory(display_name="Ada Lovelace", handle="countess")
    UserFactory(display_name="Grace Hopper", handle="amazing-grace")
    assert ids(selectors.directory(member, q="lovelace")) == [ada.pk]
    assert ids(selectors.directory(member, q="COUNT")) == [ada.pk]
    assert ids(selectors.directory(member, q="@countess")) == [ada.pk]
    assert ids(selectors.directory(member, q="nobody-like-this")) == []


def test_the_role_filter(member):
    moderator, admin = ModeratorFactory(), AdminFactory()
    assert set(ids(selectors.directory(member, role="moderator"))) == {moderator.pk}
    assert api_ids(api_as(member).get(MEMBERS, {"role": "admin"})) == [admin.pk]
    response = api_as(member).get(MEMBERS, {"role": "king"})
    assert response.status_code == 400 and "role" in response.json()["fields"]
    with pytest.raises(ValidationError):
        selectors.directory(member, role="king")


def test_the_following_filter_lists_only_followed_members(member):
    followed, _other = UserFactory(), UserFactory()
    services.follow(member, member=followed)
    assert ids(selectors.directory(member, following=True)) == [followed.pk]
    body = api_as(member).get(MEMBERS, {"following": "true"}).json()
    assert [row["id"] for row in body["results"]] == [followed.pk]
    assert body["results"][0]["is_following"] is True
    assert body["results"][0]["follower_count"] == 1
    assert selectors.directory(AnonymousUser(), following=True).items == []


def test_newest_sort_walks_pages_newest_first(member):
    members = make_members(5)
    client = api_as(member)
    first = client.get(MEMBERS, {"size": 3, "q": "", "role": "member"}).json()
    second = client.get(MEMBERS, {"size": 3, "role": "member",
                                  "cursor": first["next_cursor"]}).json()  # fmt: skip
    seen = [row["id"] for row in first["results"] + second["results"]]
    expected = [m.pk for m in sorted([*members, member], key=lambda m: m.created_at,
                                     reverse=True)]  # fmt: skip
    assert seen == expected
    assert second["next_cursor"] is None


def test_name_sort_is_alphabetical_and_pages_never_repeat_equal_names(member):
    member.display_name = "Zed"
    member.save(update_fields=["display_name"])
    twins = [UserFactory(display_name="Alex Same") for _ in range(5)]
    bea = UserFactory(display_name="bea")
    seen, cursor = [], None
    for _ in range(10):
        page = selectors.directory(member, sort="name", size=2, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [*sorted(t.pk for t in twins), bea.pk, member.pk]


def test_name_sort_pages_through_the_api(member):
    UserFactory.create_batch(4, display_name="Same Name")
    client, seen, cursor = api_as(member), [], None
    while True:
        params = {"sort": "name", "size": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(MEMBERS, params).json()
        seen += [row["id"] for row in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("cursor", ["not-a-cursor", "W10", "WyJhIiwgImIiXQ"])
def test_a_bad_cursor_is_a_clear_error(member, cursor):
    for sort in ("newest", "name"):
        response = api_as(member).get(MEMBERS, {"sort": sort, "cursor": cursor})
        assert response.status_code == 400
        assert "cursor" in response.json()["fields"]


def test_a_bad_sort_is_refused(member):
    response = api_as(member).get(MEMBERS, {"sort": "shoe-size"})
    assert response.status_code == 400 and "sort" in response.json()["fields"]


# --- The page ----------------------------------------------------------------------------


def test_the_directory_page_shows_cards_with_follow_buttons(member_client, member):
    ada = UserFactory(display_name="Ada Lovelace")
    services.follow(member, member=ada)
    page = member_client.get(reverse("community:directory")).content.decode()
    assert "Ada Lovelace" in page and f"@{ada.handle}" in page
    assert reverse("community:follow", args=[ada.pk]) in page
    assert 'aria-pressed="true"' in page  # the member follows Ada
    assert reverse("community:follow", args=[member.pk]) not in page  # no button for oneself
    assert 'role="search"' in page


def test_the_page_filters_and_returns_only_the_results_to_htmx(member_client):
    UserFactory(display_name="Ada Lovelace")
    UserFactory(display_name="Grace Hopper")
    response = member_client.get(
        reverse("community:directory"),
        {"q": "grace"},
        headers={"HX-Request": "true", "HX-Target": "directory-results"},
    )
    page = response.content.decode()
    assert "Grace Hopper" in page and "Ada Lovelace" not in page
    assert "<html" not in page and 'id="directory-results"' in page
    assert "HX-Request" in response["Vary"]


def test_infinite_scroll_loads_the_next_cards(member_client, member):
    make_members(30)
    page = member_client.get(reverse("community:directory"))
    next_url = page.context["next_url"]
    assert next_url and 'hx-trigger="revealed"' in page.content.decode()
    more = member_client.get(next_url, headers={"HX-Request": "true"})
    html = more.content.decode()
    assert "<html" not in html and 'class="member-card card"' in html
    assert html.count('class="member-card card"') == 31 - 24  # 30 + the viewer, 24 a page


def test_the_page_tells_when_nobody_matches(member_client):
    page = member_client.get(reverse("community:directory"), {"q": "zzzz"}).content.decode()
    assert "No members found" in page and "Clear filters" in page


# --- Query counts ------------------------------------------------------------------------


def test_the_directory_page_and_api_cost_the_same_with_5_or_50_members(member, client):
    client.force_login(member)
    api = api_as(member)
    make_members(5)
    for other in User.objects.exclude(pk=member.pk)[:3]:
        services.follow(member, member=other)
    assert_constant_queries(
        {
            "page": lambda: client.get(reverse("community:directory")),
            "api": lambda: api.get(MEMBERS),
        },
        grow=lambda: make_members(45),
        # Page: session + viewer (2), the members with their follower counts (1), the viewer's
        # follows among them (1), and base.html's sidebar (held tiers, spaces, unread: up to 3).
        # API: the members (1) and the viewer's follows among them (1); forced auth reads
        # nothing.
        bound={"page": 7, "api": 2},
        warm_up=True,  # content types, session
    )


def test_the_profile_page_costs_the_same_with_5_or_50_posts(member, space, client):
    author = UserFactory()
    client.force_login(member)
    make_posts(author, space, 5)
    services.follow(member, member=author)
    url = reverse("community:profile", args=[author.pk])
    # Session + viewer (2), the member (1), follow counts (1), held tiers for paid spaces (1),
    # the posts with space and author (1), the viewer's likes among them (1), "do I follow
    # them" (1), base.html's sidebar (spaces, unread: up to 2), the score panel (the ladder
    # with the member's points and rank: 1), the header's score (1) and the direct-message
    # panel (whether the viewer may message them: 1).
    assert_constant_queries(
        lambda: client.get(url),
        grow=lambda: make_posts(author, space, 45),
        bound=13,
        warm_up=True,  # content types, session
    )


# --- The profile page --------------------------------------------------------------------


def test_the_profile_shows_handle_counts_follow_button_report_link_and_posts(
    member_client, member, space
):
    author = UserFactory(display_name="Ada Lovelace")
    make_posts(author, space, 3)
    services.follow(member, member=author)
    services.follow(author, member=UserFactory())
    page = member_client.get(reverse("community:profile", args=[author.pk])).content.decode()
    assert f"@{author.handle}" in page
    assert 'id="follower-count">1<' in page
    assert reverse("community:follow", args=[author.pk]) in page
    assert f"{reverse('community:report')}?type=member&amp;id={author.pk}" in page
    assert page.count('class="post-card card') == 3


def test_the_profile_lists_only_posts_the_viewer_may_see(member_client, space):
    author = UserFactory()
    tier = Tier.objects.create(name="Pro", slug="pro")
    paid = Space.objects.create(name="Pro", slug="pro", visibility="paid", required_tier=tier)
    make_posts(author, space, 1)
    Post.objects.create(space=paid, author=author, body="Secret pro tip", body_html="<p>Secret</p>")
    page = member_client.get(reverse("community:profile", args=[author.pk])).content.decode()
    assert "Post 0" in page and "Secret" not in page


def test_your_own_profile_has_no_follow_or_report_button(member_client, member):
    page = member_client.get(reverse("community:profile", args=[member.pk])).content.decode()
    assert reverse("community:follow", args=[member.pk]) not in page
    assert "type=member" not in page
    assert "Edit profile" in page
