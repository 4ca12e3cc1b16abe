"""The README's examples, made from what the bot really prints.

Each example in README.md is a fenced block after a marker naming the command that made it:

    <!-- example: demo "/pipeline bottlenecks" -->

The demo runs with a fixed "now" (and so a fixed sample), so the output is the same on every
machine. `python docs/readme_examples.py` rewrites the blocks; `--check` only says whether
they are current (tests/integration/test_readme_examples.py runs it in CI).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NOW = "2026-12-01T09:00:00+00:00"
# The public sample files the "Bring your own data" examples import (shared/data/README.md).
_PLACES = (
    os.environ.get("SALES_SAMPLE_DATA"),
    ROOT.parent / "shared" / "data",
    "/work/shared/data",
)
SAMPLES = next((Path(p) for p in _PLACES if p and Path(p, "crm-maven").is_dir()), None)
# How long an import or the demo's seeding took differs by machine: not part of an example.
TIMING = re.compile(r"^(?:Took |\r?Seed).*\n", re.MULTILINE)
EXAMPLE = re.compile(r"(<!-- example: (?P<command>.+?) -->\n```\n)(?P<output>.*?)(```)", re.DOTALL)


def run(command: str, workdir: Path, database_url: str | None = None) -> str:
    """One example's output: `demo ...` (or `console ...`) as a user would run it."""
    if "{samples}" in command and SAMPLES is None:
        raise FileNotFoundError("the public sample data (shared/data) is not on this machine")
    argv = shlex.split(command.format(samples=SAMPLES))
    if argv[0] == "demo":  # the demo keeps its own sample database in `workdir`
        argv[1:1] = ["--now", NOW]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALES_"))}
    env |= {"NO_COLOR": "1", "COLUMNS": "100"}
    env["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'own.db'}"
    # What a terminal shows: warnings and problems (stderr) with the answer, in order. An
    # import refusing a file (exit 1) is an example too; anything worse is a broken example.
    done = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *argv], cwd=workdir, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
    )  # fmt: skip
    if done.returncode not in (0, 1):
        raise RuntimeError(f"`{command}` failed ({done.returncode}): {done.stdout[-500:]}")
    return TIMING.sub("", done.stdout)


def render(text: str, workdir: Path, database_url: str | None = None) -> str:
    """README text with every example block replaced by its command's output now."""

    def example(match: re.Match[str]) -> str:
        output = run(match["command"], workdir, database_url)
        if SAMPLES is not None:
            output = output.replace(str(SAMPLES), "…")
        return match.group(1) + output + ("" if output.endswith("\n") else "\n") + match.group(4)

    return EXAMPLE.sub(example, text)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        current = README.read_text(encoding="utf-8")
        fresh = render(current, Path(workdir))
    if "--check" in argv:
        print("README examples are current" if fresh == current else "README examples differ")
        return 0 if fresh == current else 1
    README.write_text(fresh, encoding="utf-8")
    print(f"rewrote {len(EXAMPLE.findall(current))} examples in {README.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
