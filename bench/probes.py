"""The two in-run probes, mounted by config/urls.py only when the bench app is installed, that
is in benchmark mode (AGORA_BENCHMARK=1, set by bench/run.py). They go through the same
server and middleware stack as every scenario, so each run measures its own ceiling:

- hello: a trivial JSON response (the server + middleware floor);
- ready (not a scenario): one `SELECT 1`, so the runner's "has the server drained?" check
  waits behind requests still queued for a database connection, as the next scenario would;
- feed-probe: the home feed's own SQL for the signed-in member (the queryset that
  community.selectors.feed.feed builds for the "all" tab, keyset-ordered and sliced the same
  way, plus its one "liked by me" query) returned through `.values()` as JSON: no templates,
  no serializer. What the HTML and API feeds add on top of it is our own code.
"""

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from community.models import Post
from community.pagination import DEFAULT_PAGE_SIZE
from community.selectors.cards import liked_ids
from community.selectors.feed import _filtered as feed_queryset  # feed()'s own queryset

FEED_PROBE_FIELDS = (
    "id",
    "title",
    "body_html",
    "created_at",
    "like_count",
    "comment_count",
    "space__slug",
    "space__name",
    "author_id",
    "author__display_name",
)


def hello(request):
    return JsonResponse({"hello": "agora"})


def ready(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ready": True})


def feed_probe(request):
    viewer = request.user
    # The same queryset feed() pages over (tab "all"), ordered and sliced as keyset_page does.
    queryset = feed_queryset(viewer, tab="all").order_by("-created_at", "-id")
    rows = list(queryset.values(*FEED_PROBE_FIELDS)[: DEFAULT_PAGE_SIZE + 1])[:DEFAULT_PAGE_SIZE]
    liked = liked_ids(viewer, [Post(pk=row["id"]) for row in rows])
    for row in rows:
        row["liked"] = row["id"] in liked
    return JsonResponse({"results": rows})


urlpatterns = [
    path("bench/hello", hello, name="bench-hello"),
    path("bench/ready", ready, name="bench-ready"),
    path("bench/feed-probe", feed_probe, name="bench-feed-probe"),
]
