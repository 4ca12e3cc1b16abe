"""The benchmarks' tables in Markdown, the machine they ran on, and the goals met or missed."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata

from bench.commands import SERVE_FLAGS, CommandsResult
from bench.digests import DigestResult
from bench.importing import ImportResult
from bench.profiling import Profile


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; numbers (and cells starting with a digit) are right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    right = [all(_numeric(r[i]) for r in cells) and cells for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if r else "---" for r in right) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    return text[:1].isdigit() or text[:1] in "-+" or text in ("", "—")


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.1f}"


def ratio(x: float | None, base: float | None) -> float | None:
    """None when either side is missing or the base is zero (a tiny run may finish nothing)."""
    return None if x is None or not base else x / base


def times(x: float | None) -> str:
    return "—" if x is None or math.isnan(x) else f"{x:.2f}×"


# -- machine ------------------------------------------------------------------------------------


def machine(pg_version: str | None) -> list[str]:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kb = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
            memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("slack_bolt", "SQLAlchemy", "psycopg", "gunicorn")
    )
    return [
        f"- {os.cpu_count()} × {cpu}{memory}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {pg_version or 'not used'}; {versions}",
    ]


def load_line(label: str) -> str:
    one, five, fifteen = os.getloadavg()
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"- load average {label} ({at}): {one:.2f}, {five:.2f}, {fifteen:.2f}"


# -- commands -----------------------------------------------------------------------------------


def commands_section(results: list[CommandsResult]) -> list[str]:
    rows = [
        [r.server + (f" ({r.dialect})" if r.dialect else ""), r.level.clients,
         f"{r.level.throughput:,.0f}", ms(r.level.percentile(0.5)), ms(r.level.percentile(0.99)),
         r.level.errors, r.level.failed, r.level.writes_said()]
        for r in results
    ]  # fmt: skip
    out = [
        f"Served with `gunicorn {SERVE_FLAGS}` (keep-alive; gunicorn's default sync worker "
        "closes each connection). Latency is per request as the client sees it. The floor "
        "(`bench/command_floor.py`) is a bare Bolt app doing each command's essential SQL "
        "by hand on the same database, measured just before the bot; bare Bolt acknowledges "
        "and does nothing (a reference only).",
        "",
        "Writes: every `/deal new` and `/deal move` answered without a failure, warm-up "
        "included, looked for in the database after the level: each new deal there once, "
        "each move one stage row in its deal's history, each moved deal in the stage its "
        "last move named.",
        "",
        table(
            ["server", "clients", "req/s", "p50 ms", "p99 ms", "errors", "failed", "writes"],
            rows,
        ),
    ]
    pairs = floor_pairs(results)
    bare = {r.level.clients: r.level for r in results if r.server == "bare Bolt"}
    mix = []
    for (dialect, clients), (floor, bot) in pairs.items():
        ref = bare.get(clients)
        mix.append(
            [dialect, clients, f"{floor.throughput:,.0f}", f"{bot.throughput:,.0f}",
             times(ratio(bot.throughput, floor.throughput)), ms(floor.percentile(0.99)),
             ms(bot.percentile(0.99)), times(ratio(bot.percentile(0.99), floor.percentile(0.99))),
             times(ratio(bot.throughput, ref and ref.throughput))]
        )  # fmt: skip
    if mix:
        headers = ["database", "clients", "floor req/s", "bot req/s", "bot ÷ floor"]
        headers += ["floor p99 ms", "bot p99 ms", "p99 bot ÷ floor", "bot ÷ bare Bolt"]
        out += ["", "The mix, bot against the floor:", "", table(headers, mix)]
    per_kind = []
    for (dialect, clients), (floor, bot) in pairs.items():
        for kind in sorted(set(bot.kinds) | set(floor.kinds)):
            f50, b50 = floor.percentile(0.5, kind), bot.percentile(0.5, kind)
            f99, b99 = floor.percentile(0.99, kind), bot.percentile(0.99, kind)
            per_kind.append(
                [dialect, clients, kind, bot.kinds.count(kind), ms(f50), ms(b50),
                 times(ratio(b50, f50)), ms(f99), ms(b99), times(ratio(b99, f99))]
            )  # fmt: skip
    if per_kind:
        headers = ["database", "clients", "command", "bot requests", "floor p50 ms"]
        headers += ["bot p50 ms", "p50 bot ÷ floor", "floor p99 ms", "bot p99 ms"]
        out += ["", "Per command:", "", table(headers + ["p99 bot ÷ floor"], per_kind)]
    return out


def floor_pairs(results: list[CommandsResult]) -> dict:
    """(database, clients) -> (floor's level, bot's level), in the order they ran."""
    floors = {(r.dialect, r.level.clients): r.level for r in results if r.server == "floor"}
    return {
        (r.dialect, r.level.clients): (floors[(r.dialect, r.level.clients)], r.level)
        for r in results
        if r.server == "bot" and (r.dialect, r.level.clients) in floors
    }


# -- digests ------------------------------------------------------------------------------------


def growth(results: list[DigestResult], r: DigestResult, side: str) -> float | None:
    """Time per tenfold of data, from the next smaller size of the same case."""
    smaller = [
        s
        for s in results
        if (s.dialect, s.digest) == (r.dialect, r.digest) and s.spec.deals < r.spec.deals
    ]
    if not smaller:
        return None
    s = max(smaller, key=lambda x: x.spec.deals)
    decades = math.log10(r.spec.deals / s.spec.deals)
    return (getattr(r, side)["best"] / getattr(s, side)["best"]) ** (1 / decades)


def digests_section(results: list[DigestResult]) -> list[str]:
    rows = [
        [r.dialect, r.spec.label, r.digest, ms(r.product["best"]), ms(r.product["median"]),
         ms(r.product["first"]), ms(r.floor["best"]), times(r.ratio),
         times(growth(results, r, "product")), times(growth(results, r, "floor")),
         f"{r.product['peak_mb']:.0f}", f"{r.product['heap_mb']:.1f}", f"{r.floor['peak_mb']:.0f}"]
        for r in results
    ]  # fmt: skip
    headers = [
        "database", "data", "digest", "product ms", "median ms", "first call ms", "floor ms",
        "× floor", "growth /10×", "floor growth /10×", "peak RSS MB", "heap MB", "floor RSS MB",
    ]  # fmt: skip
    return [
        "Best of the timed calls after one untimed first call (the machine is shared: other "
        "work only ever adds time, so the best is the closest to the code's own cost; the "
        "median and the first call of a fresh process are shown too). Ratio and growth "
        "use the best. Peak RSS is the child process's whole resident peak "
        "(VmHWM: interpreter and libraries included); heap is Python's allocation peak "
        "during one call (tracemalloc). Growth is time per tenfold of data from the size "
        "below. That the floor's figures are the product's, field by field, is a test "
        "(tests/bench/test_floors.py).",
        "",
        table(headers, rows),
        "",
        "Generated for the run (`testkit.generate`, every database of a size at once): "
        + "; ".join(
            f"{r.spec.label}, {r.history_rows:,} history rows, {r.generated_seconds:.0f} s"
            for r in {r.spec: r for r in results}.values()
        )
        + ".",
    ]


# -- import -------------------------------------------------------------------------------------


def import_section(results: list[ImportResult]) -> list[str]:
    rows = [
        [r.dialect, f"{r.deals:,}", f"{r.history_rows:,}", f"{r.product_seconds:.2f}",
         f"{r.product_rate:,.0f}", f"{r.floor_seconds:.2f}", f"{r.floor_rate:,.0f}",
         times(r.product_rate / r.floor_rate), "yes" if r.equal else "NO"]
        for r in results
    ]  # fmt: skip
    headers = [
        "database", "deals", "history rows", "import s", "deals/s", "executemany s", "deals/s",
        "× floor", "same rows",
    ]  # fmt: skip
    return [table(headers, rows)]


# -- goals --------------------------------------------------------------------------------------


def goals(
    commands: list[CommandsResult],
    digests: list[DigestResult],
    imports,
    digest_goal: tuple[float, float, float] = (1.0, 200, 11),
) -> list[str]:
    """Issue 20's goals; `digest_goal` is the digests' at the largest size: seconds, peak
    RSS MB and growth per tenfold (1 s, 200 MB, 11× up to 100k deals; 3 s, 300 MB, 10× at
    the tenfold-larger size)."""
    lines = []
    most, most_mb, most_growth = digest_goal

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    for (dialect, clients), (floor, bot) in floor_pairs(commands).items():
        x = ratio(bot.throughput, floor.throughput)
        line = (
            f"- commands ({dialect}, {clients} clients) ≥ ½ the floor's req/s: {times(x)} — "
            f"{verdict(x is not None and x >= 0.5)}"
        )
        if clients >= 16:
            p99, y = bot.percentile(0.99), ratio(bot.percentile(0.99), floor.percentile(0.99))
            line += (
                f"; p99 {ms(p99)} ms ≤ 100 ms — {verdict(p99 is not None and p99 <= 0.1)}; "
                f"{times(y)} the floor's p99 ≤ 2× — {verdict(y is not None and y <= 2)}; "
                f"{bot.errors} errors, {bot.failed} failure replies, "
                f"writes {bot.writes_said()} — "
                f"{verdict(bot.errors == bot.failed == 0 and bot.wrong_writes == [])}"
            )
        lines.append(line)
    biggest = max((r.spec.deals for r in digests), default=None)
    for r in digests:
        if r.spec.deals != biggest:
            continue
        name = f"{r.digest} digest ({r.dialect}, {r.spec.label})"
        g = growth(digests, r, "product")
        lines.append(
            f"- {name}: {ms(r.product['best'])} ms < {most:g} s — "
            f"{verdict(r.product['best'] < most)}; {times(r.ratio)} floor ≤ 2× — "
            f"{verdict(r.ratio <= 2)}; peak {r.product['peak_mb']:.0f} MB < {most_mb:g} MB — "
            f"{verdict(r.product['peak_mb'] < most_mb)}; growth {times(g)} ≤ {most_growth:g}× — "
            f"{verdict(g is None or g <= most_growth)}"
        )
    for r in imports:
        x = r.product_rate / r.floor_rate
        lines.append(
            f"- import ({r.dialect}, {r.deals:,} deals) ≥ ½ executemany: {times(x)} — "
            f"{verdict(x >= 0.5)}"
        )
    return lines


# -- profiles -----------------------------------------------------------------------------------


def profile_section(profile: Profile, extra: list[str] | None = None) -> list[str]:
    out = [f"#### {profile.title}", "", f"{profile.seconds:.2f} s for {profile.calls} call(s)."]
    out += ["", "Own time by library:", ""]
    out.append(table(["library", "share"], [[k, f"{v:.0%}"] for k, v in profile.by_package[:9]]))
    out += ["", "Top functions by own time:", ""]
    out.append(
        table(
            ["function", "own s", "calls"],
            [[f"`{f}`", f"{t:.3f}", n] for f, t, n in profile.top_own],
        )
    )
    out += ["", "Top functions of the bot by cumulative time (and the ORM's execute):", ""]
    out.append(
        table(
            ["function", "cumulative s"],
            [[f"`{f}`", f"{t:.3f}"] for f, t in profile.top_cumulative],
        )
    )
    return out + (extra or [])


# -- fleet --------------------------------------------------------------------------------------


def seconds(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f}"


FLEET_HEADERS = (
    "digests", "posted", "duplicates", "missing", "wrong token", "ledger posted", "first tick s",
    "first post s", "p50 s", "p90 s", "last post s", "last chart s", "digests/s", "min gap s",
    "gaps < 1 s", "checks",
)  # fmt: skip


def _fleet_row(r) -> list:
    c = r.checked
    problems = c.problems + (["timed out"] if r.timed_out else [])
    return [
        c.expected, c.posts, c.duplicates, c.missing, c.wrong_token + c.refused,
        c.ledger_status.get("posted", 0), seconds(r.first_tick_s), seconds(c.first_s),
        seconds(c.percentile(0.5)), seconds(c.percentile(0.9)), seconds(c.last_s),
        seconds(c.last_chart_s), "—" if c.throughput is None else f"{c.throughput:.1f}",
        "—" if c.min_gap_s is None else f"{c.min_gap_s:.2f}", c.close_gaps,
        "; ".join(problems) or "all passed",
    ]  # fmt: skip


def fleet_section(results: list) -> list[str]:
    """Issue #8: N workspaces with a 09:00 digest each, two scheduler processes."""
    out = []
    for r in results:
        c = r.checked
        low, high = r.latency
        out += [
            f"{r.workspaces:,} installed workspaces on {r.dialect} ({r.counts.deals:,} deals, "
            f"{r.counts.open_deals:,} open, {r.counts.changes:,} history rows), each with a "
            f"daily 09:00 pipeline digest (every {_nth(r)} also a funnel digest in the same "
            f"channel), all in one time zone; {len(r.processes)} scheduler processes running "
            "the product's scheduler as `bot.py scheduler` runs it (tick 30 s on the "
            "half-minute, every due digest posted before any chart is drawn, "
            f"{_side_by_side(r)} workspaces side by side, 1 message/s per channel), in "
            "multi-workspace mode, started "
            f"{_when(r.lead)} on their clock; fake Slack answering each call in "
            f"{low * 1000:.0f}-{high * 1000:.0f} ms. "
            "Times are from 09:00 to when the fake Slack received the post.",
            "",
            table(FLEET_HEADERS, [_fleet_row(r)]),
            "",
            "Per scheduler process:",
            "",
            table(
                ["process", "digests claimed", "CPU s (whole run)", "CPU s before start"],
                [
                    [
                        p.get("pid", "?"),
                        c.split.get(p.get("process_id"), 0),
                        f"{p['cpu']:.1f}" if "cpu" in p else "—",
                        f"{p.get('cpu_start', 0):.1f}",
                    ]
                    for p in r.processes
                ],
            ),
        ]
        if c.min_gap_s is not None:
            out += [
                "",
                f"Spacing per channel (digests and chart shares): {c.close_gaps} gap(s) under "
                f"1 s; {c.shared_channels} channel(s) got their digests from two processes (the "
                "pacer spaces one process's messages only).",
            ]
        if r.compose:
            text_ms, full_ms = r.compose.get("text ms", 0), r.compose.get("with charts ms", 0)
            out += [
                "",
                f"Per digest: composing takes {text_ms:.0f} ms for the figures and blocks and "
                f"{full_ms:.0f} ms with the chart (mean of 10, one process, after the run); "
                f"Slack: 4 calls (post, and the chart's upload in 3 steps), "
                f"{(low + high) / 2 * 4 * 1000:.0f} ms at the mean latency; the chart is drawn "
                "and shared once the process's due digests are all posted.",
            ]
        notes = [line for p in r.processes for line in p.get("log", [])]
        if notes:
            out += ["", "Scheduler warnings and errors (last lines):", ""]
            out += [f"    {line}" for line in notes[-10:]]
    return out


def _side_by_side(r) -> str:
    found = {p.get("parallel_workspaces") for p in r.processes}
    return "/".join(str(n) for n in sorted(found) if n) or "8"


def _when(lead: float) -> str:
    if lead >= 0:
        return f"{lead:.0f} s before 09:00"
    return f"{-lead:.0f} s after 09:00 (no tick crosses 09:00: for the tests)"


def _nth(r) -> str:
    from bench.fleet_setup import FUNNEL_EVERY

    return f"{FUNNEL_EVERY}th"


def fleet_goals(results: list) -> list[str]:
    lines = []
    for r in results:
        c = r.checked
        once = c.ok and not r.timed_out
        lines.append(
            f"- fleet ({r.dialect}, {r.workspaces:,} workspaces, {len(r.processes)} scheduler "
            f"processes): every digest posted exactly once — "
            f"{'met' if once else '**missed**: ' + '; '.join(c.problems or ['timed out'])}; "
            f"last post {seconds(c.last_s)} s after 09:00"
        )
    return lines
