"""wrk, the load tool: a separate process on 127.0.0.1, driven by a generated Lua script that
spreads its threads over the setup's ports and prints its numbers as one JSON line."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench.servers import HOST

WRK_THREADS = 2

# Thread setup and the JSON summary, shared by reads and writes.
COMMON_LUA = """
local ports = {%(ports)s}
local n = 0
function setup(thread)
  thread.addr = wrk.lookup("127.0.0.1", tostring(ports[(n %% #ports) + 1]))[1]
  thread:set("thread_id", n)
  n = n + 1
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,"p50_us":%%d,"p90_us":%%d,' ..
    '"p99_us":%%d,"max_us":%%d,"mean_us":%%.1f,"errors_connect":%%d,"errors_read":%%d,' ..
    '"errors_write":%%d,"errors_status":%%d,"errors_timeout":%%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

READ_LUA = """
wrk.method = "GET"
wrk.path = %(path)s
%(headers)s
"""

# Each request takes the next (member, target) pair in a fixed order, offset per thread so that
# threads collide on the same pair now and then (the races the constraints must absorb).
# Lua lists are 1-based. `requests` is a list of {method, path, token, body}.
WRITE_LUA = """
local requests = {%(requests)s}
local i = 0
thread_id = 0
function init(args)
  i = thread_id * 7919
end
function request()
  i = i + 1
  local r = requests[(i %% #requests) + 1]
  local headers = {["Authorization"] = "Bearer " .. r[3], ["Content-Type"] = "application/json"}
  return wrk.format(r[1], r[2], headers, r[4])
end
"""


def require_wrk():
    path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is not installed: apt-get update && apt-get install -y wrk (Debian).")
    out = subprocess.run([path, "-v"], capture_output=True, text=True)  # noqa: S603
    return (out.stdout + out.stderr).strip().splitlines()[0]


def _lua_string(value):
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def read_script(path, headers):
    return READ_LUA % {
        "path": _lua_string(path),
        "headers": "\n".join(
            f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
        ),
    }


def write_script(requests):
    rows = ",\n".join("{" + ", ".join(_lua_string(part) for part in row) + "}" for row in requests)
    return WRITE_LUA % {"requests": rows}


def run_wrk(ports, script, *, connections, duration, tmpdir):
    lua = (COMMON_LUA % {"ports": ", ".join(str(p) for p in ports)}) + script
    path = Path(tmpdir) / "scenario.lua"
    path.write_text(lua)
    cmd = [
        "wrk",
        f"-t{min(WRK_THREADS, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(path),
        f"http://{HOST}:{ports[0]}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)  # noqa: S603
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
        "wrk": raw,
    }
