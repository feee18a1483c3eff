"""Request bodies over MAX_REQUEST_BODY_SIZE get a 413 before they are read
(community/limits.py): in the ASGI application, and on real daphne, uvicorn and granian servers,
whose memory must not grow with the body."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from bench.servers import stop_processes
from community.limits import BodySizeLimitMiddleware

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class App:
    """An ASGI app that reads the whole body, then answers 200 with its length."""

    def __init__(self):
        self.calls = 0
        self.read = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        while True:
            message = await receive()
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(self.read).encode()})


def call(app, *, path="/accounts/login/", chunks=(b"",), content_length=None):
    headers = [(b"content-type", b"application/octet-stream")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    handed = []
    sent = []

    async def receive():
        if messages:
            handed.append(messages[0])
            return messages.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    asyncio.run(BodySizeLimitMiddleware(app)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body, len(handed)


@pytest.fixture
def small_limit(settings):
    settings.MAX_REQUEST_BODY_SIZE = 1000


def test_the_default_limit_is_the_largest_upload_plus_form_overhead():
    assert django_settings.MAX_REQUEST_BODY_SIZE == 12 * 1024 * 1024
    assert django_settings.MAX_REQUEST_BODY_SIZE > django_settings.AGORA_IMAGE_MAX_BYTES
    assert django_settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.TemporaryFileUploadHandler"
    ]
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= django_settings.MAX_REQUEST_BODY_SIZE


def test_a_declared_length_over_the_limit_is_refused_and_the_app_never_runs(small_limit):
    app = App()
    status, headers, body, handed = call(app, chunks=[b"x" * 10], content_length=1001)
    assert status == 413
    assert app.calls == 0 and handed == 0
    assert headers[b"content-type"].startswith(b"text/html")
    assert b"Request too large" in body


def test_a_chunked_body_is_cut_once_past_the_limit(small_limit):
    app = App()
    status, _, _, handed = call(app, chunks=[b"x" * 400] * 100)
    assert status == 413
    assert handed == 3  # 1,200 bytes: the third chunk passes the limit, no more is read
    assert app.read == 800


def test_a_body_under_the_limit_reaches_the_app(small_limit):
    app = App()
    assert call(app, chunks=[b"x" * 500, b"y" * 500], content_length=1000)[0::2] == (
        200,
        b"1000",
    )
    assert call(app, chunks=[b"x" * 500, b"y" * 500])[0] == 200


def test_api_paths_get_the_json_error(small_limit):
    for kwargs in ({"content_length": 5000}, {"chunks": [b"x" * 600] * 3}):
        status, headers, body, _ = call(App(), path="/api/v1/posts/", **kwargs)
        assert status == 413
        assert headers[b"content-type"] == b"application/json"
        error = json.loads(body)
        assert error["code"] == "too_large"
        assert "1000" in error["detail"]


@pytest.fixture
def upload_path_limit(settings, small_limit):
    settings.LARGE_UPLOAD_PATHS = {"/courses/manage/": 5000, "/api/v1/courses/": 5000}


def test_the_limit_follows_the_path(settings, upload_path_limit):
    from community.limits import body_limit

    assert body_limit("/courses/manage/lessons/3/attachments/") == 5000
    assert body_limit("/api/v1/courses/3/") == 5000
    assert body_limit("/courses/") == body_limit("/accounts/login/") == 1000
    assert body_limit("/x/courses/manage/") == 1000  # a prefix, not anywhere in the path
    settings.LARGE_UPLOAD_PATHS = {"/courses/manage/": 10}
    assert body_limit("/courses/manage/") == 1000  # never below the general limit
    settings.MAX_REQUEST_BODY_SIZE = 0
    assert body_limit("/courses/manage/") == 0  # 0: no check at all


def test_the_default_upload_paths_take_the_largest_course_file():
    larger = django_settings.LARGE_UPLOAD_PATHS
    assert set(larger) == {
        "/courses/manage/",
        "/api/v1/courses/",
        "/api/v1/modules/",
        "/api/v1/lessons/",
    }
    biggest = max(
        django_settings.COURSE_ATTACHMENT_MAX_BYTES, django_settings.COURSE_VIDEO_MAX_BYTES
    )
    assert all(limit >= biggest + 1024 * 1024 for limit in larger.values())


def test_a_big_body_is_accepted_on_an_upload_path_and_refused_elsewhere(upload_path_limit):
    upload = "/courses/manage/lessons/3/attachments/"
    for path in (upload, "/api/v1/courses/3/lessons/"):
        assert call(App(), path=path, chunks=[b"x" * 3000], content_length=3000)[0] == 200
        assert call(App(), path=path, chunks=[b"x" * 1000] * 3)[0] == 200
        assert call(App(), path=path, content_length=5001)[0] == 413
        status, _, _, handed = call(App(), path=path, chunks=[b"x" * 2000] * 10)
        assert status == 413 and handed == 3
    assert call(App(), path="/accounts/login/", content_length=3000)[0] == 413
    assert call(App(), path="/accounts/login/", chunks=[b"x" * 1000] * 3)[0] == 413


def test_wsgi_follows_the_path_too(upload_path_limit):
    from community.limits import wsgi_body_limit

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    def status_of(path, length):
        answered = []
        environ = {"PATH_INFO": path, "CONTENT_LENGTH": str(length), "REQUEST_METHOD": "POST"}
        wsgi_body_limit(app)(environ, lambda status, headers: answered.append(status))
        return int(answered[0].split()[0])

    assert status_of("/courses/manage/lessons/3/attachments/", 3000) == 200
    assert status_of("/courses/manage/lessons/3/attachments/", 5001) == 413
    assert status_of("/accounts/login/", 3000) == 413


def test_django_itself_is_stopped_while_reading(small_limit):
    """The real application (config.asgi): Django's body reader gets the error."""
    from config.asgi import application

    status, _, _, handed = call(application, chunks=[b"x" * 600] * 10)
    assert status == 413 and handed == 2
    status, _, body, _ = call(application, path="/api/v1/posts/", content_length=10**8)
    assert status == 413 and json.loads(body)["code"] == "too_large"


# --- Real servers -------------------------------------------------------------------------

SERVERS = {
    "daphne": lambda port: [
        str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application",
    ],
    "uvicorn": lambda port: [
        str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
        "config.asgi:application",
    ],
    # The production HTTP server (README, "Serving"), on the WSGI application.
    "granian": lambda port: [
        str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "config.wsgi:application",
    ],
}  # fmt: skip
MB = 1024 * 1024
RSS_BOUND_MB = 50


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(params=sorted(SERVERS))
def server(request, tmp_path):
    port = free_port()
    drop = {"DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS", "MAX_REQUEST_BODY_SIZE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        SECRET_KEY="body-limit-test-key-" + "x" * 40,
    )
    process = subprocess.Popen(
        SERVERS[request.param](port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers in its group: the stop kills them all
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_processes([process], grace=0)
                pytest.fail(f"{request.param} did not start")
            time.sleep(0.1)
    yield request.param, process, port
    stop_processes([process], grace=0)


def head(path, extra):
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n" + extra + "\r\n"
    ).encode()


def read_response(sock):
    sock.settimeout(10)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data:
            top, _, rest = data.partition(b"\r\n\r\n")
            length = [
                int(line.split(b":")[1])
                for line in top.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            ]
            if length and len(rest) >= length[0]:
                break
    status = int(data.split(b" ", 2)[1]) if data else None
    return status, data.partition(b"\r\n\r\n")[2]


def send_declared(port, path, size):
    """Declares `size` bytes, sends a little, and expects the answer without the rest."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head(path, f"Content-Length: {size}\r\n") + b"x" * 65536)
        return read_response(sock)


def send_whole(port, path, size):
    """Sends all of a `size`-byte body with its Content-Length, then reads the answer."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head(path, f"Content-Length: {size}\r\n"))
        try:
            for _ in range(size // MB):
                sock.sendall(b"x" * MB)
            sock.sendall(b"x" * (size % MB))
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_response(sock)


def send_chunked(port, path, total):
    """Streams `total` bytes in 1 MB chunks until the server answers or hangs up."""
    import select

    chunk = b"%x\r\n" % MB + b"x" * MB + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head(path, "Transfer-Encoding: chunked\r\n"))
        while sent < total:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += MB
        status, body = read_response(sock)
    return status, body, sent


def test_real_servers_refuse_big_bodies_without_holding_them(server):
    server_name, process, port = server
    # Warm up (imports, first request) before measuring.
    assert send_declared(port, "/accounts/login/", 13 * MB)[0] == 413
    before = rss_mb(process.pid)

    status, body = send_declared(port, "/accounts/login/", 100 * MB)
    assert status == 413 and b"Request too large" in body
    status, body = send_declared(port, "/api/v1/posts/", 100 * MB)
    assert status == 413 and json.loads(body)["code"] == "too_large"

    status, body, sent = send_chunked(port, "/accounts/login/", 100 * MB)
    # Under WSGI a chunked body is refused as such: Django would read it as empty.
    assert status == (411 if server_name == "granian" else 413), (status, body, sent)
    assert sent < 40 * MB  # the server stopped reading soon after the 12 MB limit

    grown = rss_mb(process.pid) - before
    assert grown < RSS_BOUND_MB, f"the server grew by {grown:.0f} MB"

    # An upload path takes a body over the general limit (LARGE_UPLOAD_PATHS): the request
    # reaches Django, which answers it (here: no CSRF token, so 403), not the limit.
    assert send_whole(port, "/courses/manage/", 13 * MB)[0] not in (None, 411, 413)
    assert send_declared(port, "/courses/manage/", 300 * MB)[0] == 413
