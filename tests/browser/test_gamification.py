"""Served by daphne: a member posts and three others like the post; the member's header
shows the points rise and the level-up to Member without a reload, and this week's
leaderboard shows them second, behind a member with more points this week."""

from playwright.sync_api import expect

from community import services
from community.models import Post
from tests.factories import AdminFactory, UserFactory, default_rules_and_levels

from .conftest import DESKTOP, PHONE, sign_in
from .test_live_community import wait_live


def test_points_rise_and_the_level_up_arrive_live_and_the_week_board_ranks_them(
    daphne_server, browser, console, screenshot
):
    default_rules_and_levels()
    space = services.create_space(AdminFactory(), name="General", visibility="members")
    author = UserFactory(display_name="Ada Author")
    rival = UserFactory(display_name="Rita Rival")
    for i in range(3):  # 3 posts: 6 points this week
        services.create_post(rival, space=space, title=f"Rival {i}", body="More from me.")
    likers = [UserFactory(display_name=f"Liker {i}") for i in range(3)]
    keys = [services.create_api_token(liker, name="likes")[1] for liker in likers]

    context = browser.new_context(viewport=DESKTOP)
    page = console.attach(context.new_page())
    sign_in(page, daphne_server, author)
    header_points = page.locator("[data-header-score] [data-header-points]")
    expect(header_points).to_have_text("0")

    page.goto(f"{daphne_server}/spaces/general/")
    page.get_by_label("Title (optional)").fill("My first week here")
    page.get_by_label("Your post").fill("Hello! What should I read first?")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="My first week here")).to_be_visible()
    post = Post.objects.get(title="My first week here")
    wait_live(page)
    expect(header_points).to_have_text("2", timeout=10_000)  # a post: 2 points

    # Three likes over the API: a point each, the third reaches Member (5 points).
    for count, key in enumerate(keys, start=1):
        answer = context.request.post(
            f"{daphne_server}/api/v1/posts/{post.pk}/like/",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert answer.ok, answer.text()
        expect(header_points).to_have_text(str(2 + count), timeout=10_000)
    chip = page.locator("[data-header-score] [data-level-chip]")
    expect(chip).to_contain_text("Member", timeout=10_000)
    screenshot(page, "60-level-up-live")

    page.goto(f"{daphne_server}/leaderboard/?period=week")
    rows = page.locator(".board-list .board-row")
    expect(rows.nth(0)).to_contain_text("Rita Rival")
    expect(rows.nth(1)).to_contain_text("Ada Author")
    expect(rows.nth(1).locator(".board-row__rank")).to_contain_text("2")
    expect(rows.nth(1).locator(".board-row__points")).to_contain_text("5")
    screenshot(page, "61-week-leaderboard")
    page.set_viewport_size(PHONE)
    screenshot(page, "61-week-leaderboard-phone")
    page.goto(f"{daphne_server}/members/{author.pk}/")
    screenshot(page, "62-profile-score-phone")
    assert console.csp_violations() == []
    assert console.unexpected() == []
