"""Error pages are the site's (header, a way on), and expected errors log one line each."""

import io
import logging

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import Client
from django.urls import path, reverse

from config import urls as site_urls

pytestmark = pytest.mark.django_db


def _raise(exception):
    def view(request):
        raise exception

    return view


# The site's URLs plus three that fail on purpose (this module is the URLconf of the tests
# that need them, so the 500 handler is the site's too).
urlpatterns = [
    path("test-errors/400/", _raise(BadRequest("Malformed."))),
    path("test-errors/403/", _raise(PermissionDenied("Only admins may do this."))),
    path("test-errors/500/", _raise(RuntimeError("A bug."))),
    *site_urls.urlpatterns,
]
handler500 = getattr(site_urls, "handler500", "django.views.defaults.server_error")


@pytest.fixture
def errors_urlconf(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def console():
    """What the root logger's console handler prints, as the server's terminal shows it."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def assert_site_page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert 'class="site-header"' in html  # the site's header, with its name
    assert 'class="brand"' in html and ">Agora</a>" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert f">{heading}</h1>" in html
    assert f'href="{reverse("community:feed")}">Go to the home page</a>' in html


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test-errors/400/", 400, "That request could not be understood"),
        ("/test-errors/403/", 403, "You may not do that here"),
        ("/no-such-page/", 404, "Page not found"),
        ("/test-errors/500/", 500, "Something went wrong on our side"),
    ],
)
def test_each_error_page_uses_the_site_layout(errors_urlconf, member, url, status, heading):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    assert_site_page(client.get(url), status, heading)


def test_a_real_forbidden_page_uses_the_site_layout(settings, member_client):
    settings.DEBUG = False
    response = member_client.get(reverse("community:reports"))  # members may not moderate
    assert_site_page(response, 403, "You may not do that here")


def test_the_404_page_offers_a_visitor_to_sign_in(settings, client):
    settings.DEBUG = False
    response = client.get("/spaces/no-such-space/")
    assert_site_page(response, 404, "Page not found")
    assert f"{reverse('account_login')}?next=/spaces/no-such-space/" in response.content.decode()


def test_the_500_page_queries_nothing(errors_urlconf, django_assert_num_queries):
    # The database may be what failed: the page needs none of it.
    with django_assert_num_queries(0):
        response = Client(raise_request_exception=False).get("/test-errors/500/")
    assert_site_page(response, 500, "Something went wrong on our side")


def test_a_404_logs_one_line_and_no_traceback(errors_urlconf, client, caplog, console):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-page/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in records] == ["Not Found: /no-such-page/"]
    assert records[0].exc_info is None
    assert console.getvalue() == "Not Found: /no-such-page/\n"


@pytest.mark.parametrize("debug", [False, True])
def test_an_expected_403_prints_one_line_and_no_traceback(
    errors_urlconf, settings, member_client, console, debug
):
    settings.DEBUG = debug
    member_client.get("/test-errors/403/")
    assert console.getvalue() == "Forbidden (Permission denied): /test-errors/403/\n"


def test_a_500_still_prints_its_traceback(errors_urlconf, console):
    Client(raise_request_exception=False).get("/test-errors/500/")
    printed = console.getvalue()
    assert printed.startswith("Internal Server Error: /test-errors/500/\n")
    assert "Traceback" in printed and "RuntimeError: A bug." in printed
    assert printed.count("Internal Server Error") == 1
