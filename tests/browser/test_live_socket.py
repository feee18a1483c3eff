"""static/agora/live.js against daphne: the page's socket connects by session, subscribes to
the member's topic and turns a server event into a DOM event that htmx can trigger on."""

from tests.factories import PASSWORD, UserFactory

PATCH_ME = """async (bio) => {
  const headers = JSON.parse(document.body.getAttribute("hx-headers"));
  const response = await fetch("/api/v1/me", {
    method: "PATCH",
    headers: {...headers, "Content-Type": "application/json"},
    body: JSON.stringify({bio}),
  });
  return response.status;
}"""


def test_a_member_page_receives_its_own_events_live(daphne_server, page, console, screenshot):
    member = UserFactory()
    console.attach(page)
    page.goto(f"{daphne_server}/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{daphne_server}/profile/")
    page.wait_for_function("document.body.dataset.live === 'connected'", timeout=10_000)
    page.evaluate(
        "window.liveEvents = [];"
        "document.body.addEventListener('live:profile.updated',"
        " (e) => window.liveEvents.push(e.detail));"
    )

    assert page.evaluate(PATCH_ME, "Changed from another tab") == 200

    page.wait_for_function("window.liveEvents.length > 0", timeout=10_000)
    events = page.evaluate("window.liveEvents")
    assert events == [{"topic": f"user:{member.pk}", "type": "profile.updated", "id": member.pk}]
    screenshot(page, "11-live-connected")
    assert console.errors == []
