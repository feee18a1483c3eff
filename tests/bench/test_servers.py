"""Stopping a benchmark server (bench/servers.py) stops all of it: a server whose worker is
still busy when the grace runs out loses the worker too, not only its parent."""

import contextlib
import os
import signal
import subprocess
import sys

from bench import servers

# As granian under load: on SIGTERM the parent waits for its worker, which is still busy
# with a request (here: ignores SIGTERM) and would outlive a parent killed alone.
SERVER = """
import signal, subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(600)"], stdout=subprocess.PIPE, text=True)
worker.stdout.readline()
signal.signal(signal.SIGTERM, lambda *_: worker.wait())  # before the test may send it
print(worker.pid, flush=True)
time.sleep(600)
"""


def test_stopping_a_server_kills_its_busy_worker_too():
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        worker = int(server.stdout.readline())
        assert worker in servers._running_in_group(server.pid)
        servers.stop_processes([server], grace=0.5)
        assert server.returncode == -signal.SIGKILL  # the grace ran out
        assert servers._running_in_group(server.pid) == []  # the worker is gone with it
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.stdout.close()
