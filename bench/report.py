"""Turns a run of bench/run.py into its report: ratios to the in-run probes, targets met or
not, and the markdown written beside the JSON."""

SLOW_MS = 100
TARGET_NOTE = "the issue sets the targets on the large dataset"


def evaluate(data, scenarios):
    """Adds ratios and target verdicts to each scenario of each setup (in place)."""
    for result in data["runs"].values():
        hello = result.get("hello", {}).get("rps")
        probe = result.get("feed-probe", {}).get("rps")
        for scenario in scenarios:
            row = result.get(scenario.name)
            if row is None:
                continue
            row["ratio_hello"] = row["rps"] / hello if hello else None
            row["ratio_feed_probe"] = row["rps"] / probe if probe else None
            row["target"] = scenario.target.describe() if scenario.target else None
            row["met"] = None
            if scenario.target:
                reference = result.get(scenario.target.reference, {}).get("rps")
                row["reference_ratio"] = row["rps"] / reference if reference else None
                row["met"] = scenario.target.met(row["rps"], reference)
                if row["errors"] or not row["requests"]:
                    row["met"] = False


def _f(value, spec=".1f"):
    return "—" if value is None else format(value, spec)


def _verdict(row):
    if row.get("met") is None:
        return ""
    return "**met**" if row["met"] else "**not met**"


def summary(data):
    lines = []
    for count, result in data["runs"].items():
        lines.append(f"{data['settings']['server'][count]}:")
        for name, row in result.items():
            extra = f"  {row['target']}: {_verdict(row)}" if row.get("target") else ""
            lines.append(
                f"  {name:20} {row['rps']:8.1f} req/s  p99 {row['p99_ms']:7.1f} ms"
                f"  x{_f(row['ratio_feed_probe'], '.2f')} feed-probe{extra}"
            )
    return "\n".join(lines).replace("**", "")


def markdown(data):
    m, v, s, c = data["machine"], data["versions"], data["settings"], data["context"]
    out = [
        f"# Agora read-path benchmark — scale `{data['scale']}`, {data['started'][:10]}",
        "",
        f"Run {data['started']} → {data['finished']} (UTC) with `python -m bench.run "
        f"--scale {data['scale']} --duration {s['duration_s']}`.",
        "",
        "## Machine, versions, settings",
        "",
        f"- Machine: {m['cores']} cores, {m['memory']} RAM, {m['platform']}. wrk runs on the "
        "same cores as the servers and PostgreSQL (absolute numbers drift; compare ratios).",
        f"- Versions: Python {v['python']}, Django {v['django']}, PostgreSQL {v['postgresql']}, "
        f"daphne {v['daphne']}, {v['wrk']}.",
        f"- Load: wrk, {s['connections']} connections, {s['wrk_threads']} threads, "
        f"{s['duration_s']} s per scenario after {s['warmup_s']} s of warm-up, 127.0.0.1 only.",
        "- Servers: " + "; ".join(f"{k}: {name}" for k, name in s["server"].items()) + ".",
        "- Environment: "
        + ", ".join(f"`{k}={val}`" for k, val in s["env"].items())
        + ", `SECRET_KEY` set.",
        f"- Queries per request: {s['query_count_method']}.",
        f"- Viewer: `{c['member_email']}` (signed in through the allauth form; API scenarios "
        f"use a Bearer token from `manage.py bench_token`). Busy space `{c['space_slug']}`, "
        f"post {c['post_id']} ({c['post_comments']} live comments, "
        f"{c['extra']['top_level_comments']} top-level), deep page {c['deep_page']} of the "
        f"viewer's feed ({c['extra']['feed_posts_visible']} visible posts), directory search "
        f"`{c['search']}`, profile {c['profile_id']}.",
        "",
    ]
    if data["scale"] != "large":
        out += [
            f"Targets are stated beside each row, but {TARGET_NOTE}; on "
            f"`{data['scale']}` they are indicative only.",
            "",
        ]
    queries = data["queries"]
    for count, result in data["runs"].items():
        out += [
            f"## {s['server'][count]}",
            "",
            "| scenario | req/s | p50 ms | p99 ms | x hello | x feed-probe | queries/req "
            "| errors | target | verdict |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for name, row in result.items():
            target = row.get("target") or ""
            if row.get("reference_ratio") is not None and target:
                target += f" (got {row['reference_ratio']:.2f}x)"
            if not row["requests"]:
                out.append(
                    f"| {name} | 0 | — | — | — | — | "
                    f"{queries.get(name, {}).get('queries', '—')} | {row['errors']} | "
                    f"{target} | **not met**: no request completed in the run |"
                )
                continue
            out.append(
                f"| {name} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
                f"| {_f(row['ratio_hello'], '.3f')} | {_f(row['ratio_feed_probe'], '.2f')} "
                f"| {queries.get(name, {}).get('queries', '—')} | {row['errors']} "
                f"| {target} | {_verdict(row)} |"
            )
        out.append("")
    out += [
        "Every scenario's query count is one measured request; that it stays fixed as the "
        "page fills is what the test suite asserts (N vs 2N items), not this run.",
        "",
        "## Scenarios",
        "",
        "| scenario | what | path | auth |",
        "|---|---|---|---|",
    ]
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
        "## EXPLAIN (ANALYZE, BUFFERS)",
        "",
        "Every SELECT of one request of each scenario below, captured with "
        "CaptureQueriesContext and explained on the same database right after the run "
        "(warm cache). Seq scans are listed per query.",
        "",
    ]
    for name, entry in queries.items():
        if "explain" not in entry:
            continue
        out += [f"### {name} ({entry['queries']} queries, status {entry['status']})", ""]
        for i, plan in enumerate(entry["explain"], 1):
            seq = ", ".join(plan["seq_scans"]) or "none"
            out += [
                f"{i}. {_f(plan['execution_ms'], '.3f')} ms, seq scans: {seq}",
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
    return "\n".join(out) + "\n"
