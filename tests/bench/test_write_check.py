"""The commands benchmark's write check: every write the server answered is in the database
once, and what is not is named (issue 20: load must not change behaviour)."""

from __future__ import annotations

from bench.command_floor import Floor
from bench.commands import Workload
from bench.dbs import raw_connect
from bench.loadgen import LevelResult
from testkit.generate import generate
from testkit.workspace_plan import PIPELINE, TEAM_ID, Spec


def test_the_write_check_finds_each_write_once_and_names_what_is_not(dialect, scratch):
    url = scratch.new(dialect, "writes")
    generate(Spec(100, 500), [url])
    connection = raw_connect(url)
    early = ", ".join(f"'{key}'" for key in PIPELINE[:-2])  # two moves forward still fit
    (number, owner, stage), (other, other_owner, _) = connection.execute(
        "SELECT number, owner_id, stage_key FROM deals WHERE status = 'open'"
        f" AND stage_key IN ({early}) ORDER BY number LIMIT 2"
    ).fetchall()
    connection.close()
    one, two = PIPELINE[PIPELINE.index(stage) + 1 :][:2]
    workload = Workload(url)  # where the deals and their history end now
    floor = Floor(url)  # writes as the bot does: a deal row, history rows
    assert floor.move(TEAM_ID, owner, number, 1).startswith(f"Moved #{number}")
    assert floor.new(TEAM_ID, owner, "Bench a", 1_000).startswith("Created")
    answered = [("move", number, one), ("new", "Bench a")]
    assert workload.check_writes(LevelResult(1, 1.0, writes=answered)) == []

    floor.new(TEAM_ID, owner, "Bench a", 1_000)  # made twice, answered once
    floor.new(TEAM_ID, owner, "Bench b", 1_000)  # made, never answered
    floor.move(TEAM_ID, other_owner, other, 1)  # made, never answered
    answered += [("move", number, two), ("new", "Bench c")]  # answered, never made
    wrong = workload.check_writes(LevelResult(1, 1.0, writes=answered))
    assert sorted(wrong) == sorted(
        [
            "new deal 'Bench a' 2 times",
            "new deal 'Bench c' 0 times",
            "deal 'Bench b' created unanswered",
            f"#{other}: moves unanswered",
            f"#{number}: 1 moves in its history, 2 answered",
            f"#{number} in {one}, its last move named {two}",
        ]
    )
