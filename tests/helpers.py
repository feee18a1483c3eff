"""Plain helpers every app's tests share (fixtures built on them live in tests/conftest.py)."""

import importlib
import threading
from collections import namedtuple
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connection
from django.dispatch import Signal
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

# --- The API as someone ---------------------------------------------------------------------


def api_as(user):
    """A DRF client acting as `user` (forced authentication: no session, no token, no
    queries to find the member), or anonymous for None or an AnonymousUser."""
    client = APIClient()
    if user is not None and user.is_authenticated:
        client.force_authenticate(user)
    return client


# --- The live socket ------------------------------------------------------------------------
# Channels' WebsocketCommunicator against the real ASGI app. The socket reads sessions from
# another thread, so its tests use `django_db(transaction=True)`; build headers (sync) before
# entering the async scenario, which `run` drives.

ORIGIN = (b"origin", b"http://localhost")  # in the default ALLOWED_HOSTS


def session_headers(member):
    """Headers of a browser signed in as `member`: its session cookie and an allowed Origin."""
    client = Client()
    client.force_login(member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [ORIGIN, (b"cookie", cookie.encode())]


def run(scenario):
    return async_to_sync(scenario)()


async def connect(headers):
    from config.asgi import application  # loads the whole ASGI stack: only when a test needs it

    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def subscribe(communicator, topic):
    await communicator.send_json_to({"action": "subscribe", "topic": topic})
    return await communicator.receive_json_from(timeout=2)


def check_socket_topic(topic, *, allowed, refused):
    """Over a real socket: `allowed` subscribes to `topic`, `refused` is told "forbidden"."""

    allowed_headers, refused_headers = session_headers(allowed), session_headers(refused)

    async def scenario():
        viewer, connected = await connect(allowed_headers)
        assert connected
        assert (await subscribe(viewer, topic))["type"] == "subscribed"
        outsider, connected = await connect(refused_headers)
        assert connected
        assert (await subscribe(outsider, topic))["code"] == "forbidden"
        await viewer.disconnect()
        await outsider.disconnect()

    run(scenario)


def check_topic_rule(user, objects, *, kind, may_receive, sees):
    """An app's topic rule (`may_receive(user, id)`) for `objects` ({name: object}): true for
    the names in `sees`, and through the seams' registry as the socket asks it (only active
    members subscribe at all); an unknown id is refused."""
    from community import access

    for name, obj in objects.items():
        assert may_receive(user, obj.pk) is (name in sees), name
        may = name in sees and access.is_active_member(user)
        assert access.can_subscribe(user, f"{kind}:{obj.pk}") is may, name
    assert not may_receive(user, 999_999)


# --- Query counts ---------------------------------------------------------------------------


def count_queries(fetch):
    """(number of SQL queries fetch() made, what it returned)."""
    with CaptureQueriesContext(connection) as queries:
        result = fetch()
    return len(queries), result


def warm_query_count(client, path, **extra):
    """(number of queries, response) of a second GET of `path`, the first having filled the
    per-process caches as the bench runner's count does; the answer must be a 200."""
    client.get(path, **extra)
    count, response = count_queries(lambda: client.get(path, **extra))
    assert response.status_code == 200, (path, response.status_code)
    return count, response


def assert_constant_queries(fetch, *, grow, bound, warm_up=False):
    """Asserts that a page or a list costs a fixed number of queries, as DESIGN.md asks.

    The test builds N items, then: the queries of `fetch()` are counted, `grow()` builds N
    more (or many more, past a page size), they are counted again, and both counts must be
    equal and at most `bound`. State above the call what the queries are. A response that
    fetch returns must be a 200. `warm_up=True` calls fetch once, uncounted, before each
    count (content types, a first visit's insert).

    `fetch` may also be a dict {label: callable}, with `bound` a dict of the same labels,
    to measure several ways in (the page and the API) over the same data.

    Returns the two results of fetch (before, after), or a dict of such pairs by label."""
    fetches = fetch if isinstance(fetch, dict) else {"": fetch}
    bounds = bound if isinstance(bound, dict) else {"": bound}
    assert fetches.keys() == bounds.keys(), "give one bound per fetch"

    def measure():
        counts = {}
        for label, one in fetches.items():
            if warm_up:
                one()
            counts[label] = count_queries(one)
            status = getattr(counts[label][1], "status_code", 200)
            assert status == 200, f"{label or 'fetch'} answered {status}"
        return counts

    before = measure()
    grow()
    after = measure()
    for label in fetches:
        few, many = before[label][0], after[label][0]
        where = f"{label}: " if label else ""
        assert few == many, f"{where}{few} queries for N items but {many} for more"
        assert many <= bounds[label], f"{where}{many} queries, more than {bounds[label]}"
    results = {label: (before[label][1], after[label][1]) for label in fetches}
    return results if isinstance(fetch, dict) else results[""]


# --- Live events ----------------------------------------------------------------------------

LiveEvent = namedtuple("LiveEvent", ["topic", "type", "data"])


class LiveEvents(list):
    """Every live event a test sent (`live.broadcast_rollback_unsafe(topic, type, **data)`),
    in order, as LiveEvent tuples (they compare equal to plain `(topic, type, data)` tuples).
    `sent_at`, which the broadcast adds itself, is not in `data`."""

    def record(self, topic, event_type, data):
        self.append(LiveEvent(topic, event_type, data))

    def of_type(self, event_type):
        return [event for event in self if event.type == event_type]

    def to(self, topic):
        return [event for event in self if event.topic == topic]

    def topics(self):
        return [event.topic for event in self]

    def types(self):
        return [event.type for event in self]


# --- Domain signals -------------------------------------------------------------------------

SentSignal = namedtuple("SentSignal", ["name", "kwargs"])


def domain_signal_modules():
    """community.signals and the `signals` module of every project app that has one
    (courses, events, …): the project's apps are those whose code sits beside community."""
    base = Path(apps.get_app_config("community").path).parent
    names = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == base and find_spec(f"{config.name}.signals")
    ]
    return [importlib.import_module(f"{name}.signals") for name in names]


def domain_signals_of(module):
    """{name: Signal} for the Signal instances a module defines, named after their attribute
    ("comment_created"); outside community, prefixed with the app ("courses.enrolled")."""
    app = module.__name__.rsplit(".", 1)[0]
    prefix = "" if app == "community" else f"{app}."
    return {
        prefix + name: value
        for name, value in vars(module).items()
        if isinstance(value, Signal) and not name.startswith("_")
    }


class DomainSignals(list):
    """Every domain signal sent during a test, in order, as SentSignal(name, kwargs); kwargs
    are what a receiver gets, without `signal` and `sender`."""

    def __init__(self, signals_by_name):
        super().__init__()
        self.by_name = signals_by_name
        self._receivers = []

    def connect(self):
        for name, signal in self.by_name.items():

            def receiver(sender, name=name, **kwargs):
                kwargs.pop("signal", None)
                self.append(SentSignal(name, kwargs))

            signal.connect(receiver, weak=False)
            self._receivers.append((signal, receiver))

    def disconnect(self):
        for signal, receiver in self._receivers:
            signal.disconnect(receiver)
        self._receivers.clear()

    def of(self, signal):
        """The kwargs of each send of one signal, given by name or as the Signal itself."""
        if isinstance(signal, Signal):
            names = [name for name, known in self.by_name.items() if known is signal]
            assert names, f"{signal!r} is not a domain signal"
            signal = names[0]
        assert signal in self.by_name, f"no domain signal named {signal!r}"
        return [sent.kwargs for sent in self if sent.name == signal]

    def names(self):
        return [sent.name for sent in self]


def run_at_once(count, work):
    """Runs work(0) … work(count - 1) in threads released together (a real race on
    PostgreSQL); fails with the first error any of them raised."""
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            work(index)
        except Exception as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


@contextmanager
def search_pages_sent():
    """The SQL of each search page sent inside (a kind's ranked, highlighted page; not the
    visibility rules' own reads), as a list filled in as they are sent."""
    pages = []

    def record(execute, sql, params, many, context):
        if "ts_headline" in sql:
            pages.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield pages
