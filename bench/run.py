"""`python -m bench` (or `python bench/run.py`): run the benchmarks and print their tables.

--quick (the default, under two minutes, plus about 1.5 for the fleet), --full (all sizes;
about half an hour on two cores, plus about 6 minutes for the fleet's 1,000 workspaces),
--huge (the digests only, PostgreSQL only, at 100k and 1M deals: about 25 minutes),
--only commands|digests|import|fleet, --db sqlite|postgresql|both, --profile (cProfile
where the time goes), --markdown FILE (the whole report, as in bench/RESULTS.md).
Every database is created for the run and dropped at its end (see bench/dbs.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import commands, digests, fleet, importing, report  # noqa: E402
from bench.dbs import DIALECTS, Scratch, admin_url, postgres_problem  # noqa: E402
from testkit.workspace_plan import Spec  # noqa: E402

BENCHMARKS = ("commands", "digests", "import", "fleet")


@dataclass(frozen=True)
class Preset:
    name: str
    digest_specs: tuple[Spec, ...]
    repeat: int  # timed calls per digest case, after one untimed call
    commands_spec: Spec
    levels: tuple[int, ...]  # concurrent clients
    warmup: float  # seconds of load on a freshly started server, not measured
    seconds: float  # measured per level, after half a second of warm-up
    import_deals: int
    # Workspaces with a 09:00 digest, and how many seconds before 09:00 the schedulers start
    # (tiny: after it, so the first tick posts at once instead of 30 s later).
    fleet_size: tuple[int, float] = (100, fleet.LEAD)
    # Only these benchmarks and databases, whatever --only and --db say (None: as asked).
    benchmarks: tuple[str, ...] | None = None
    databases: tuple[str, ...] | None = None
    # The digests' goal at the largest size: seconds, peak RSS MB, growth per tenfold.
    digest_goal: tuple[float, float, float] = (1.0, 200, 11)


# name, digest sizes, repeat, commands' size, clients, warm-up s, seconds per level, import
# deals, (fleet workspaces, lead): see Preset.
TINY = Preset("tiny", (Spec(100, 1_000), Spec(300, 3_000)), 1, Spec(100, 1_000), (1, 2), 0.3,
              0.5, 300, (5, -2.0))  # fmt: skip
QUICK = Preset("quick", (Spec(1_000, 10_000), Spec(10_000, 100_000)), 2, Spec(1_000, 10_000),
               (1, 16), 1.0, 2.0, 5_000)  # fmt: skip
FULL = Preset("full", (Spec(1_000, 10_000), Spec(10_000, 100_000), Spec(100_000, 1_000_000)), 5,
              Spec(10_000, 100_000), (1, 2, 4, 8, 16), 3.0, 5.0, 100_000,
              (1_000, fleet.LEAD))  # fmt: skip
# Issue 20's tenfold-larger workspace: 1M deals (11.7M history rows of their own) on
# PostgreSQL, the digests only, with the 100k size in the same run for the growth. The leads
# stay at 1M: ten million more (~105M more history rows) would take about 40 minutes to
# generate here, so the funnel and cohorts see ten times the deals, not the leads.
HUGE = Preset("huge", (Spec(100_000, 1_000_000), Spec(1_000_000, 1_000_000)), 2,
              QUICK.commands_spec, QUICK.levels, 1.0, 2.0, 0, benchmarks=("digests",),
              databases=("postgresql",), digest_goal=(3.0, 300, 10))  # fmt: skip
PRESETS = {p.name: p for p in (TINY, QUICK, FULL, HUGE)}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    for name, about in (
        ("quick", "small sizes, short runs (default)"),
        ("full", "every size: 1k, 10k, 100k deals; 1 to 16 clients"),
        ("huge", "digests at 100k and 1M deals, PostgreSQL only (issue 20; ~25 min)"),
        ("tiny", "the smallest sizes, for the tests"),
    ):
        size.add_argument(f"--{name}", dest="preset", action="store_const", const=name, help=about)
    parser.add_argument(
        "--only", choices=BENCHMARKS, action="append", help="run only this benchmark (repeatable)"
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--profile", action="store_true", help="add cProfile summaries")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.set_defaults(preset="quick")
    return parser.parse_args(argv)


@dataclass
class Outcome:
    commands: list
    digests: list
    imports: list
    lines: list[str]  # the Markdown report
    fleet: list = field(default_factory=list)


def run(args: argparse.Namespace, log=print) -> Outcome:
    preset = PRESETS[args.preset]
    only = list(preset.benchmarks or args.only or BENCHMARKS)
    dialects = list(DIALECTS) if args.db == "both" else [args.db]
    if preset.databases:
        dialects = list(preset.databases)
    pg_version = None
    if "postgresql" in dialects:
        problem = postgres_problem()
        if problem:
            log(f"PostgreSQL at {admin_url()} is not reachable ({problem}); SQLite only.")
            dialects.remove("postgresql")
        else:
            pg_version = _pg_version()
    if not dialects:
        raise SystemExit("no database to run on")
    lines = [f"# Benchmark results ({preset.name})", "", "## Machine", ""]
    lines += report.machine(pg_version)
    lines.append(report.load_line("at the start"))
    started = time.perf_counter()
    found = Outcome([], [], [], lines)
    profiles: list[str] = []
    with Scratch() as scratch:
        if "digests" in only:
            log(f"Digests on {', '.join(dialects)}:")
            kept: dict[str, str] | None = {} if args.profile else None
            found.digests = digests.run(
                list(preset.digest_specs), dialects, scratch, preset.repeat, log, kept
            )
            if kept:
                profiles += _digest_profiles(kept, preset.digest_specs[-1], scratch, log)
        if "commands" in only:
            log(f"Commands on {', '.join(dialects)}:")
            spec = replace(preset.commands_spec, now=datetime.now(UTC).replace(microsecond=0))
            made: dict | None = {} if args.profile else None
            found.commands = commands.run(
                dialects,
                scratch,
                spec,
                list(preset.levels),
                preset.seconds,
                log,
                made,
                warmup=preset.warmup,
            )
            if made:
                profiles += _command_profiles(made)
        if "import" in only:
            log(f"Import on {', '.join(dialects)}:")
            imported: dict | None = {} if args.profile else None
            found.imports = importing.run(dialects, scratch, preset.import_deals, log, imported)
            for dialect, profile in (imported or {}).items():
                profile.title += f" ({dialect})"
                profiles += report.profile_section(profile)
        if "fleet" in only:
            workspaces, lead = preset.fleet_size
            log(f"Fleet: {workspaces:,} workspaces, 2 scheduler processes:")
            found.fleet = fleet.run(dialects, scratch, workspaces, log, lead=lead)
    lines.append(report.load_line("at the end"))
    lines.append(f"- took {time.perf_counter() - started:.0f} s")
    if found.commands:
        lines += ["", "## Commands", ""] + report.commands_section(found.commands)
    if found.digests:
        lines += ["", "## Digests", ""] + report.digests_section(found.digests)
    if found.imports:
        lines += ["", "## Import", ""] + report.import_section(found.imports)
    if found.fleet:
        lines += ["", "## Fleet", ""] + report.fleet_section(found.fleet)
    lines += ["", "## Goals", ""]
    lines += report.goals(found.commands, found.digests, found.imports, preset.digest_goal)
    lines += report.fleet_goals(found.fleet)
    if profiles:
        lines += ["", "## Profiles", ""] + profiles
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return found


def _pg_version() -> str:
    from bench.dbs import raw_connect

    connection = raw_connect(admin_url())
    try:
        return connection.execute("SHOW server_version").fetchone()[0]
    finally:
        connection.close()


def _digest_profiles(kept: dict[str, str], spec: Spec, scratch, log) -> list[str]:
    from bench.profiling import profile_digest

    out = []
    for dialect, url in kept.items():
        for digest in digests.DIGESTS:
            profile, statements = profile_digest(url, digest)
            profile.title += f" ({dialect}, {spec.label})"
            rows = [[f"`{s}`", f"{t * 1000:,.1f}", n] for s, t, n in statements[:8]]
            note = " (SQLite: until the first row; fetching the rest shows in the profile)"
            where = f"SQL statements by time{note if dialect == 'sqlite' else ''}:"
            extra = ["", where, "", report.table(["statement", "ms", "runs"], rows), ""]
            out += report.profile_section(profile, extra)
            log(f"  profiled the {digest} digest on {dialect}")
        scratch.drop(url)
    return out


def _command_profiles(made: dict) -> list[str]:
    out = []
    headers = ["command", "reply ms", "follow-ups ms", "reply ms under cProfile",
               "SQL statements", "of which writes"]  # fmt: skip
    for dialect, (profile, c) in made.items():
        rows = [
            [kind, f"{ms:.1f}", f"{c.followup_ms[kind]:.1f}", f"{c.profiled_ms[kind]:.1f}",
             f"{c.statements[kind]:.1f}", f"{c.commits[kind]:.1f}"]
            for kind, ms in c.ms.items()
        ]  # fmt: skip
        frequent = [[f"`{s}`", n] for s, n in c.frequent]
        extra = ["", "Per command, in-process, one at a time (mean):", "",
                 report.table(headers, rows), "", "The statements the mix ran most often:", "",
                 report.table(["statement", "times"], frequent), ""]  # fmt: skip
        profile.title += f" ({dialect})"
        out += report.profile_section(profile, extra)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    outcome = run(args)
    print()
    print("\n".join(outcome.lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
