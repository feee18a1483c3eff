"""static/agora/live.js against daphne: the page's socket connects by session, subscribes to
the member's topic and turns a server event into a DOM event that htmx can trigger on."""

from tests.factories import PASSWORD, UserFactory

PATCH_ME = """async (bio) => {
  const headers = JSON.parse(document.body.getAttribute("hx-headers"));
  const response = await fetch("/api/v1/me/", {
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
    # Selector waits and plain evaluate: wait_for_function's polling evaluates a string,
    # which the page's CSP (no 'unsafe-eval') refuses whenever the first check is false.
    page.locator("body[data-live='connected']").wait_for(state="attached", timeout=10_000)
    page.evaluate(
        "window.liveEvents = [];"
        "document.body.addEventListener('live:profile.updated',"
        " (e) => window.liveEvents.push(e.detail));"
    )

    assert page.evaluate(PATCH_ME, "Changed from another tab") == 200

    for _ in range(100):
        if page.evaluate("window.liveEvents.length"):
            break
        page.wait_for_timeout(100)
    events = page.evaluate("window.liveEvents")
    assert [event.pop("sent_at") for event in events]  # when it left the server
    assert events == [{"topic": f"user:{member.pk}", "type": "profile.updated", "id": member.pk}]
    screenshot(page, "11-live-connected")
    assert console.errors == []
