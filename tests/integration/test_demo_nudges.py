"""`nudges` in the demo console: a realistic morning on the seeded sample, nothing sent."""

from __future__ import annotations

import pytest

from tests.integration.test_demo_console import assert_readable, run_demo


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    from tests.integration.test_demo_console import SCALE

    path = tmp_path_factory.mktemp("demo-nudges")
    seeded = run_demo(path, "--scale", SCALE, "/sales help")
    assert seeded.returncode == 0, seeded.stderr
    return path


def test_nudges_show_each_reps_morning(demo_dir):
    result = run_demo(demo_dir, "nudges")
    assert result.returncode == 0, result.stderr
    assert_readable(result.stdout)
    text = result.stdout
    assert "── DM to @" in text and "09:00 their time ──" in text
    assert "Good morning!" in text and "need you today" in text
    assert "past its target" in text or "close date has passed" in text
    assert "reps would get a nudge; buttons work in Slack, not here." in text


def test_nudges_of_one_rep_and_an_unknown_name(demo_dir):
    result = run_demo(demo_dir, "nudges @ana")
    assert result.returncode == 0 and result.stdout.count("── DM to @") == 1
    assert "── DM to @ana, 09:00 their time ──" in result.stdout
    assert "1 rep would get a nudge" in result.stdout
    unknown = run_demo(demo_dir, "nudges @zed")
    assert unknown.returncode == 1
    assert "I don't know `@zed`; type `people` to see who is who." in unknown.stdout


def test_nudge_for_yourself_in_the_demo(demo_dir):
    result = run_demo(demo_dir, "/nudge max 1000")
    assert result.returncode == 1
    assert "A nudge lists 1 to 20 deals (1000 given)" in result.stdout
