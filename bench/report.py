"""Turns a run of bench/run.py into its report: ratios to the in-run probes, the issue's
targets met or not, the server setups side by side, the CPU per request in process, writes
with their recount check, live updates, and EXPLAIN of the main pages' queries. Writes the
markdown beside the JSON."""

import re

from bench.writes import RUSH_CHECK, RUSH_SEATS

SLOW_MS = 100
LIVE_TARGET_MS = 100
TARGET_NOTE = "the issue sets the targets on the large dataset"


def f(value, spec=".1f"):
    return "—" if value is None else format(value, spec)


def evaluate(data, scenarios):
    """Adds ratios and target verdicts to each read scenario of each setup (in place)."""
    for result in data["runs"].values():
        hello = result.get("hello", {}).get("rps")
        probe = result.get("feed-probe", {}).get("rps")
        for scenario in scenarios:
            row = result.get(scenario.name)
            if row is None:
                continue
            row["ratio_hello"] = row["rps"] / hello if hello else None
            row["ratio_feed_probe"] = row["rps"] / probe if probe else None
            row["targets"] = []
            for target in scenario.targets:
                reference = result.get(target.reference, {}).get("rps")
                met = target.met(row["rps"], reference)
                if row["errors"] or not row["requests"]:
                    met = False
                ratio = row["rps"] / reference if reference else None
                row["targets"].append(
                    {
                        "target": target.describe(),
                        "reference": target.reference,
                        "ratio": ratio,
                        "got": f"{f(ratio, '.2f')}x",
                        "measured": f"{row['rps']:.1f} req/s = {f(ratio, '.2f')}x "
                        f"{target.reference}, p99 {row['p99_ms']:.1f} ms",
                        "met": met,
                    }
                )
            if scenario.latency:
                row["targets"].append(_latency(scenario.latency, row.get("one_client")))
    for name, live in data.get("live", {}).items():
        live["met"] = live["lost"] == 0 and (
            not name.startswith("space-1000") or (live["p99_ms"] or 1e9) <= LIVE_TARGET_MS
        )


def _latency(target, measured):
    """A one-client latency target's entry, as evaluate() writes the others (no verdict for
    a run made before the runner measured it)."""
    entry = {"target": target.describe(), "reference": "one client", "ratio": None}
    if not measured:
        return {**entry, "got": "not measured", "measured": "one client: not measured",
                "met": None}  # fmt: skip
    got = f"p50 {measured['p50_ms']:.1f} ms, p99 {measured['p99_ms']:.1f} ms"
    return {
        **entry,
        "got": got,
        "measured": f"one client: {got} ({measured['requests']} requests)",
        "met": bool(measured["requests"] and not measured["errors"]) and target.met(measured),
    }


def _failed_requests(row):
    """Requests answered wrongly (an error status, a broken connection); a request still
    queued when wrk's 10 s timeout struck is a latency outcome, reported in the tables."""
    wrk = row["wrk"]
    return wrk["errors_status"] + wrk["errors_connect"] + wrk["errors_read"] + wrk["errors_write"]


def passed(data):
    """The run itself worked: every request answered correctly, the recount check held (the
    RSVP rush's order included), no socket failed and no event was lost. (Missed targets are
    reported, not failures.)"""
    errors = sum(
        _failed_requests(measured)
        for run in data["runs"].values()
        for row in run.values()
        for measured in (row, row.get("one_client"))
        if measured
    )
    writes = data.get("writes")
    if writes:
        errors += sum(_failed_requests(row) for row in writes["scenarios"].values())
        if not writes["checks_ok"]:
            return False
        hooks = writes.get("webhooks")
        if hooks:
            errors += hooks["errors"]
            if not hooks["checks_ok"]:
                return False
    for live in data.get("live", {}).values():
        errors += live["lost"] + live["failure_count"]
    return errors == 0


def _verdict(met):
    if met is None:
        return ""
    return "**met**" if met else "**not met**"


def _targets_text(row):
    """Each target of a read scenario with what it got and the verdict, on one line."""
    return "; ".join(
        f"{t['target']}: got {t['got']}, {_verdict(t['met'])}" for t in row.get("targets", [])
    )


def _cpu_text(name, page):
    target = f"  {page['target']}: {_verdict(page['met'])}" if page["target"] else ""
    return (
        f"cpu {name:11} median {page['median_ms']:6.1f} ms  p90 {page['p90_ms']:6.1f} ms  "
        f"(wall median {page['wall_median_ms']:.1f} ms){target}"
    )


def _size(n):
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"


def export_line(export):
    """The members' export in one sentence (bench/export.py)."""
    return (
        f"export of {export['rows']:,} members: {export['wall_s']:.2f} s "
        f"({export['rows_per_s'] or 0:,} rows/s, CPU {export['cpu_s']:.2f} s, "
        f"{_size(export['bytes'])} of CSV, {export['queries']} queries), "
        f"peak {f(export['peak_rss_growth_mib'])} MiB resident above the process's "
        f"{f(export['rss_before_mib'])} MiB, {export['traced_peak_mib']:.1f} MiB of Python "
        "allocations at most (tracemalloc)"
    )


def zip_line(export):
    """The whole community's zip in one sentence (bench/export.py)."""
    return (
        f"zip of the whole community, {export['rows']:,} rows of {export['models']} models and "
        f"{export['files']:,} files: {export['wall_s']:.2f} s ({export['rows_per_s'] or 0:,} "
        f"rows/s, CPU {export['cpu_s']:.2f} s, {_size(export['bytes'])}), peak "
        f"{f(export['peak_rss_growth_mib'])} MiB resident above the process's "
        f"{f(export['rss_before_mib'])} MiB"
    )


def summary(data):
    lines = []
    for setup, result in data["runs"].items():
        lines.append(f"{setup}:")
        for name, row in result.items():
            lines.append(
                f"  {name:20} {row['rps']:8.1f} req/s  p99 {row['p99_ms']:7.1f} ms"
                f"  x{f(row['ratio_feed_probe'], '.2f')} feed-probe  {_targets_text(row)}".rstrip()
            )
    for name, page in data.get("cpu", {}).get("pages", {}).items():
        lines.append(_cpu_text(name, page))
    writes = data.get("writes")
    if writes:
        lines.append("writes: recount check " + ("passed" if writes["checks_ok"] else "FAILED"))
        rush = rush_outcome(writes)
        if rush is not None:
            answers, bad, met = rush
            going = min(answers, RUSH_SEATS)
            lines.append(
                f"rsvp rush: {answers} answers, {going} going, {answers - going} waitlisted, "
                f"{bad} out of commit order{_cut_off(writes['writers'] - answers)}: "
                + ("met" if met else "not met")
            )
        hooks = writes.get("webhooks")
        if hooks:
            lines.append(
                f"stripe webhooks: {hooks['rps']:.1f} events/s accepted, p50 {f(hooks['p50_ms'])} "
                f"ms, p99 {f(hooks['p99_ms'])} ms, errors {hooks['errors']}; check "
                + ("passed" if hooks["checks_ok"] else "FAILED")
            )
    if data.get("export"):
        lines.append(export_line(data["export"]))
        if data["export"].get("community_zip"):
            lines.append(zip_line(data["export"]["community_zip"]))
    for name, live in data.get("live", {}).items():
        lines.append(
            f"live {name}: p99 {f(live['p99_ms'])} ms, lost {live['lost']} of {live['expected']}"
        )
    lines.append("run: " + ("ok" if passed(data) else "FAILED (errors, lost events or check)"))
    return "\n".join(lines).replace("**", "")


def _header(data):
    m, v, s, c = data["machine"], data["versions"], data["settings"], data["context"]
    return [
        f"# Agora benchmark — scale `{data['scale']}`, {data['started'][:10]}",
        "",
        f"Run {data['started']} → {data['finished']} (UTC): `{data['command']}`.",
        "",
        "## Machine, versions, settings",
        "",
        f"- Machine: {m['cores']} cores, {m['memory']} RAM, {m['platform']}. The load tools run "
        "on the same cores as the servers, PostgreSQL and Redis: absolute numbers drift on a "
        "shared machine, so compare the ratios to the in-run probes.",
        "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        f"- Reads: wrk, {s['connections']} connections, {s['wrk_threads']} threads, "
        f"{s['duration_s']} s per scenario after {s['warmup_s']} s of warm-up; a scenario "
        "with a latency target then has one client (one connection) for as long. Writes: "
        f"{s['writers']} connections, {s['duration_s']} s each. 127.0.0.1 only.",
        "- Server setups: "
        + "; ".join(f"`{k}`: {val['description']}" for k, val in s["setups"].items())
        + f". Writes and live updates run on `{s['production_setup']}`; live updates once per "
        f"channel layer ({', '.join(f'`{x}`' for x in s.get('live_layers', []))}).",
        "- Environment: "
        + ", ".join(f"`{k}={val}`" for k, val in s["env"].items())
        + ", `SECRET_KEY`, `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET` set (made up).",
        f"- Queries per request: {s['query_count_method']}.",
        f"- Viewer: `{c['member_email']}` (signed in through the allauth form; API scenarios "
        f"use a Bearer token). Busy space `{c['space_slug']}`, post {c['post_id']} "
        f"({c['post_comments']} live comments, {c['extra']['top_level_comments']} top-level), "
        f"deep page {c['deep_page']} of the viewer's feed ({c['extra']['feed_posts_visible']} "
        f"visible posts), directory search `{c['search']}`, profile {c['profile_id']}.",
        "",
    ]


def _targets(data):
    """The issue's numbers beside their targets, on the recommended setup (or the first one
    measured, when the run left it out)."""
    production = data["settings"]["production_setup"]
    shown = production if production in data["runs"] else next(iter(data["runs"]), None)
    run = data["runs"].get(shown, {})
    queries = data.get("queries", {})
    out = [f"## Targets (reads on `{shown}`)", ""]
    if data["scale"] != "large":
        out += [f"On `{data['scale']}` these are indicative only: {TARGET_NOTE}.", ""]
    out += ["| what | measured | target | verdict |", "|---|---|---|---|"]
    for name, row in run.items():
        for target in row.get("targets", []):
            out.append(
                f"| {name} | {target['measured']} | {target['target']} "
                f"| {_verdict(target['met'])} |"
            )
    for name, page in data.get("cpu", {}).get("pages", {}).items():
        if page["target"]:
            out.append(
                f"| CPU per request, {name} (in process) | median {page['median_ms']:.1f} ms, "
                f"p90 {page['p90_ms']:.1f} ms | {page['target']} | {_verdict(page['met'])} |"
            )
    if queries:
        counts = ", ".join(f"{n} {q['queries']}" for n, q in queries.items())
        out.append(
            f"| queries per request | {counts} | a fixed count per scenario | fixed by the "
            "suite's N vs 2N assertions; these are one request each |"
        )
    writes = data.get("writes")
    if writes:
        out.append(
            f"| recount check after the writes | {sum(1 for c in writes['checks'])} checks | "
            f"every counter equals a recount, one like per member and target "
            f"| {_verdict(writes['checks_ok'])} |"
        )
        out += _rush_row(writes)
        hooks = writes.get("webhooks")
        if hooks:
            out.append(
                f"| Stripe webhooks: check after the queue drained | {len(hooks['checks'])} "
                f"checks over {hooks['events']} events, {hooks['timelines']} subscriptions | "
                "every event stored once and processed; each subscription shows its newest "
                f"event; grants = desired_grants(sub) | {_verdict(hooks['checks_ok'])} |"
            )
    for name, live in data.get("live", {}).items():
        target = (
            f"p99 ≤ {LIVE_TARGET_MS} ms, none lost"
            if name.startswith("space-1000")
            else "none lost (p99 reported)"
        )
        out.append(
            f"| live {name} ({live['topic']}) | p50 {f(live['p50_ms'])} ms, p99 "
            f"{f(live['p99_ms'])} ms, max {f(live['max_ms'])} ms, lost {live['lost']} of "
            f"{live['expected']} | {target} | {_verdict(live['met'])} |"
        )
    return [*out, ""]


def rush_outcome(writes):
    """The RSVP rush's outcome from its line of the check (bench/events.py check_rush) as
    (answers on the run's occurrence, those out of their place, met), or None when the run
    had no rush. Met: every writer answered, the first RUSH_SEATS are going and the rest
    waitlisted in the order their answers were committed. An answer out of place fails the
    run through the check; a writer whose request the run's end cut off (a 1 s smoke run on
    a busy machine) is a target not met."""
    line = next((x for x in writes["checks"] if RUSH_CHECK in x), None)
    if line is None or "rsvp-rush" not in writes["scenarios"]:
        return None
    bad, answers = (
        int(n.replace(",", "")) for n in re.findall(r"([\d,]+) bad of ([\d,]+)", line)[0]
    )
    return answers, bad, bad == 0 and answers == writes["writers"]


def _rush_row(writes):
    outcome = rush_outcome(writes)
    if outcome is None:
        return []
    answers, bad, met = outcome
    going = min(answers, RUSH_SEATS)
    return [
        f"| RSVP rush: {writes['writers']} members going at once for {RUSH_SEATS} seats "
        f"({writes['scenarios']['rsvp-rush']['requests']} requests) | {answers} answers: "
        f"{going} going, {answers - going} waitlisted, {bad} out of commit order"
        f"{_cut_off(writes['writers'] - answers)} | exactly "
        f"{RUSH_SEATS} going, the rest waitlisted in the order their answers were committed "
        f"| {_verdict(met)} |"
    ]


def _cut_off(missing):
    return f" ({missing} writers' requests cut off by the run's end)" if missing > 0 else ""


def _comparison(data):
    runs = data["runs"]
    if len(runs) < 2:
        return []
    names = list(runs)
    out = [
        "## Server setups compared (req/s, p99 ms in brackets)",
        "",
        "| scenario | " + " | ".join(f"`{n}`" for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for scenario in runs[names[0]]:
        cells = []
        for n in names:
            row = runs[n].get(scenario)
            cells.append(f"{row['rps']:.1f} ({row['p99_ms']:.0f})" if row else "—")
        out.append(f"| {scenario} | " + " | ".join(cells) + " |")
    tallies = []
    for n in names:
        verdicts = [t["met"] for row in runs[n].values() for t in row.get("targets", [])]
        tallies.append(f"{sum(1 for met in verdicts if met)} of {len(verdicts)}")
    out.append("| **targets met** | " + " | ".join(tallies) + " |")
    return [*out, ""]


def _setup_tables(data):
    queries = data.get("queries", {})
    out = []
    for setup, result in data["runs"].items():
        restarts = data["restarts"].get(setup, 0)
        out += [
            f"## `{setup}`: {data['settings']['setups'][setup]['description']}",
            "",
            f"Server restarts after a backlog: {restarts}.",
            "",
            "| scenario | req/s | p50 ms | p99 ms | x hello | x feed-probe | queries/req "
            "| errors (timeouts) | target | verdict |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for name, row in result.items():
            targets = row.get("targets", [])
            target = "; ".join(f"{t['target']} (got {t['got']})" for t in targets)
            verdict = "; ".join(_verdict(t["met"]) for t in targets)
            count = queries.get(name, {}).get("queries", "—")
            errors = f"{row['errors']} ({row['wrk']['errors_timeout']})"
            if not row["requests"]:
                alone = queries.get(name, {}).get("alone_ms")
                said = "no request completed" + (
                    f" (one request alone: {alone:,.0f} ms)" if alone is not None else ""
                )
                out.append(f"| {name} | 0 | — | — | — | — | {count} | {errors} | "
                           f"{target} | {verdict + ': ' if targets else ''}{said} |")  # fmt: skip
                continue
            out.append(
                f"| {name} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
                f"| {f(row['ratio_hello'], '.3f')} | {f(row['ratio_feed_probe'], '.2f')} "
                f"| {count} | {errors} | {target} | {verdict} |"
            )
        out.append("")
    return out


def _cpu(data):
    cpu = data.get("cpu")
    if not cpu:
        return []
    out = [
        "## CPU per request (in process)",
        "",
        f"Django's test client in the runner's process (the servers' settings, DEBUG off, the "
        f"scale's PostgreSQL and Redis), signed in as the reader: the three pages in turn, "
        f"{cpu['rounds']} rounds after {cpu['warmup_rounds']} of warm-up. CPU is this "
        "process's `time.process_time()` per request (PostgreSQL's own work is not in it); "
        "the wall time includes the wait for PostgreSQL.",
        "",
        "| page | path | CPU median ms | CPU p90 ms | wall median ms | target | verdict |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for name, page in cpu["pages"].items():
        out.append(
            f"| {name} | `{page['path']}` | {page['median_ms']:.1f} | {page['p90_ms']:.1f} "
            f"| {page['wall_median_ms']:.1f} | {page['target'] or ''} | {_verdict(page['met'])} |"
        )
    return [*out, ""]


def _export(data):
    export = data.get("export")
    if not export:
        return []
    peak_note = (
        "" if export["peak_exact"] else " (no VmHWM reset here: the process's lifetime peak)"
    )
    return [
        "## The members' CSV export (admin)",
        "",
        f"**{export_line(export)}.**",
        "",
        "| members in the database | rows written | CSV | batches of | queries | wall s "
        "| CPU s | first batch ms | peak RSS MiB (before → peak) | traced Python peak MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        f"| {export['members']:,} | {export['rows']:,} | {_size(export['bytes'])} "
        f"| {export['batch_size']:,} | {export['queries']} | {export['wall_s']:.2f} "
        f"| {export['cpu_s']:.2f} | {f(export['first_batch_ms'])} "
        f"| +{f(export['peak_rss_growth_mib'])} ({f(export['rss_before_mib'])} → "
        f"{f(export['peak_rss_mib'])}){peak_note} | {export['traced_peak_mib']:.2f} |",
        "",
        f"How: {export['method']} (bench/export.py). The traced pass took "
        f"{export['traced_wall_s']:.2f} s.",
        "",
        *_community_zip(export.get("community_zip")),
    ]


def _community_zip(export):
    if not export:
        return []
    return [
        "## The whole community's zip (admin)",
        "",
        f"**{zip_line(export)}.**",
        "",
        "| models | rows | files | zip | wall s | CPU s | first byte s "
        "| peak RSS MiB (before → peak) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {export['models']} | {export['rows']:,} | {export['files']:,} "
        f"| {_size(export['bytes'])} | {export['wall_s']:.2f} | {export['cpu_s']:.2f} "
        f"| {f(export['first_byte_s'])} | +{f(export['peak_rss_growth_mib'])} "
        f"({f(export['rss_before_mib'])} → {f(export['peak_rss_mib'])}) |",
        "",
        f"How: {export['method']} (bench/export.py). The zip is written whole before its "
        "first byte is sent.",
        "",
    ]


def _writes(data):
    writes = data.get("writes")
    if not writes:
        return []
    out = [
        f"## Writes ({writes['writers']} members at once, API with Bearer tokens)",
        "",
        "| scenario | what | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, row in writes["scenarios"].items():
        out.append(
            f"| {name} | {row['description']} | {row['rps']:.1f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['errors']} |"
        )
    out += [
        "",
        f"The Celery worker (2 processes) drained the recount tasks "
        f"{writes['drain_after_s']:.1f} s after the last write. Then the recount check over "
        f"the whole database ({writes['check_s']:.1f} s):",
        "",
        "```",
        *writes["checks"],
        "```",
        "",
    ]
    return out + _webhooks(writes.get("webhooks"))


def _webhooks(hooks):
    if not hooks:
        return []
    kinds = ", ".join(f"{n} {kind}" for kind, n in hooks["kinds"].items())
    out = [
        "### Stripe webhooks (POST /stripe/webhook/, then the Celery worker)",
        "",
        f"{hooks['deliveries']} deliveries of {hooks['events']} signed events "
        f"({hooks['repeats_sent']} delivered twice) for {hooks['timelines']} subscriptions "
        f"({kinds}; {hooks['out_of_order_timelines']} delivered out of order), scheduled at "
        f"{hooks['rate_scheduled']:g}/s by a Python generator (each request signed with a "
        "fresh timestamp just before it is sent; bench/webhooks.py).",
        "",
        "| accepted (200) | events/s accepted | p50 ms | p99 ms | max ms | errors "
        "| acknowledged as duplicate | most behind schedule ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {hooks['accepted']} | {hooks['rps']:.1f} | {f(hooks['p50_ms'])} "
        f"| {f(hooks['p99_ms'])} | {f(hooks['max_ms'])} | {hooks['errors']} "
        f"| {hooks['acknowledged_as_duplicate']} | {hooks['max_lag_ms']:.0f} |",
        "",
        "The Celery worker (2 processes) processed the events in "
        f"{f(hooks['processed_per_s'])} events/s (from the first receipt to the last "
        f"processing); from receipt to processed, per event, p50 {f(hooks['process_p50_ms'])} "
        f"ms and p99 {f(hooks['process_p99_ms'])} ms. The queue was seen empty "
        f"{hooks['drain_s']:.1f} s after the last delivery. Then the check "
        f"({hooks['check_s']:.1f} s):",
        "",
        "```",
        *hooks["checks"],
        "```",
        "",
    ]
    if hooks["first_errors"]:
        out[-1:-1] = ["First errors: " + "; ".join(f"`{e}`" for e in hooks["first_errors"]), ""]
    return out


def _live(data):
    live = data.get("live")
    if not live:
        return []
    out = [
        "## Live updates (WebSocket fan-out)",
        "",
        "Latency is from `sent_at` (stamped right after the commit) to the client's read of the "
        "frame, clients in separate processes on the same machine.",
        "",
        "| run | clients (connected) | events expected | received | lost | p50 ms | p99 ms "
        "| max ms | socket failures |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in live.items():
        out.append(
            f"| {name}: {r['topic']} | {r['clients']} ({r['connected']}) | {r['expected']} "
            f"| {r['received']} | {r['lost']} | {f(r['p50_ms'])} | {f(r['p99_ms'])} "
            f"| {f(r['max_ms'])} | {r['failure_count']} |"
        )
    failures = [x for r in live.values() for x in r["failures"]]
    if failures:
        out += ["", "First socket failures: " + "; ".join(f"`{x}`" for x in failures[:5])]
    return [*out, ""]


def _explain(data):
    queries = data.get("queries", {})
    out = ["## Scenarios", "", "| scenario | what | path | auth |", "|---|---|---|---|"]
    for sc in data["scenarios"]:
        path = sc["path"] if len(sc["path"]) < 70 else sc["path"][:67] + "…"
        out.append(f"| {sc['name']} | {sc['description']} | `{path}` | {sc['auth']} |")
    slow = [
        (plan["execution_ms"], name, plan["sql"])
        for name, entry in queries.items()
        for plan in entry.get("explain", [])
        if (plan["execution_ms"] or 0) > SLOW_MS
    ]
    out += ["", f"## Slow queries (over {SLOW_MS} ms in EXPLAIN ANALYZE)", ""]
    out += [f"- {name}: {ms:.1f} ms — `{sql[:160]}…`" for ms, name, sql in sorted(slow)[::-1]]
    if not slow:
        out.append("None.")
    out += [
        "",
        "## EXPLAIN (ANALYZE, BUFFERS, SETTINGS)",
        "",
        "Every SELECT of one request of each scenario below, captured with "
        "CaptureQueriesContext and explained in one transaction, in the order sent (a setting "
        "one query makes holds for the next, as in the request), on the same database right "
        "after the run (warm cache). Seq scans are listed per query.",
        "",
    ]
    for name, entry in queries.items():
        if "explain" not in entry:
            continue
        out += [f"### {name} ({entry['queries']} queries, status {entry['status']})", ""]
        for i, plan in enumerate(entry["explain"], 1):
            seq = ", ".join(plan["seq_scans"]) or "none"
            out += [
                f"{i}. {f(plan['execution_ms'], '.3f')} ms, seq scans: {seq}",
                "",
                "```sql",
                plan["sql"],
                "```",
                "",
                "```",
                plan["plan"],
                "```",
                "",
            ]
    return out


def markdown(data):
    out = _header(data) + _targets(data) + _comparison(data) + _setup_tables(data) + _cpu(data)
    out += _export(data)
    out += _writes(data) + _live(data) + _explain(data)
    return "\n".join(out) + "\n"
