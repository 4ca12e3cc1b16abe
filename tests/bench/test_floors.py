"""The floors the benchmarks divide by do the product's work: the digests' floor computes the
same figures, field by field, and the commands' floor really reads and writes the rows."""

from __future__ import annotations

from assistant.blocks.deal_list import LIST_ROWS
from assistant.domain.limits import LIST_LIMIT
from bench import command_floor
from bench.command_floor import Floor
from bench.dbs import raw_connect
from bench.digests import DIGESTS, case_args, digest_call
from testkit.generate import generate
from testkit.workspace_plan import PIPELINE, TEAM_ID, Spec
from tests.bench.canon import canon, first_difference


def test_the_digest_floor_computes_the_products_figures(dialect, scratch):
    url = scratch.new(dialect, "digests")
    generate(Spec(300, 3000), [url])
    for digest in DIGESTS:
        product = digest_call(case_args(url, digest, "product"))()
        floor = digest_call(case_args(url, digest, "floor"))()
        found = canon(product)
        if digest == "funnel":  # the floor names the chosen group only
            for name in ("best_source", "worst_source", "best_campaign", "worst_campaign"):
                chosen = getattr(product, name)
                found[name] = chosen.group if chosen else None
        assert first_difference(found, canon(floor)) is None, digest
        if digest == "results":  # equal, and not because both are empty
            total, by_owner = found
            now = total["total"]["current"]
            assert now["won_count"] and now["lost_count"] and now["open_count"]
            assert now["velocity"] is not None and total["velocity_change"] is not None
            assert total["segments"] == [] and len(by_owner["segments"]) > 1
            assert by_owner["total"] == total["total"]
        if digest == "cohorts":
            assert len(found["rows"]) >= 6 and all(row["size"] for row in found["rows"])
            assert any(row["median_days_to_action"] is not None for row in found["rows"])


def _one(url: str, statement: str):
    connection = raw_connect(url)
    try:
        return connection.execute(statement).fetchall()
    finally:
        connection.close()


def test_the_command_floor_reads_and_writes_the_rows(dialect, scratch):
    url = scratch.new(dialect, "commands")
    generate(Spec(100, 500), [url])
    floor = Floor(url)
    number, name, owner, stage = _one(
        url,
        "SELECT number, name, owner_id, stage_key FROM deals WHERE status = 'open'"
        " AND stage_key <> 'closing' ORDER BY number LIMIT 1",
    )[0]
    following = PIPELINE[PIPELINE.index(stage) + 1]
    assert f"#{number} {name}" in floor.show(TEAM_ID, number)
    assert floor.show(TEAM_ID, 10**6).startswith(":warning:")
    assert floor.move(TEAM_ID, owner, 10**6, 1).startswith(":warning:")

    history = "SELECT count(*) FROM changes"
    before = _one(url, history)[0][0]
    assert floor.move(TEAM_ID, owner, number, 1).startswith(f"Moved #{number} to ")
    moved = _one(url, f"SELECT stage_key, version FROM deals WHERE number = {number}")[0]
    assert moved[0] == following and moved[1] > 1
    last = _one(url, "SELECT field, old_value, new_value, actor_id FROM changes ORDER BY id DESC")
    assert last[0] == ("stage_key", stage, following, owner)

    assert "Created #101 Floor deal" in floor.new(TEAM_ID, owner, "Floor deal", 1_200_000)
    created = _one(url, "SELECT name, amount, status FROM deals WHERE number = 101")
    assert created == [("Floor deal", 1_200_000, "open")]
    assert _one(url, history)[0][0] == before + 1 + 5  # the move's row, the create's five

    open_deals = _one(url, "SELECT count(*) FROM deals WHERE status = 'open'")[0][0]
    board = floor.board(TEAM_ID).splitlines()
    assert len(board) == len(PIPELINE)
    assert sum(int(line.split(": ")[1].split()[0]) for line in board) == open_deals
    stuck = sum(int(line.rsplit(", ", 1)[1].split()[0]) for line in board)

    # The list reads what the bot's does: as many rows, the shown rows' owners' names, and
    # the whole list's value and stuck count when it fits in one read.
    assert (command_floor.LIST_LIMIT, command_floor.LIST_ROWS) == (LIST_LIMIT, LIST_ROWS)
    value = _one(url, "SELECT sum(amount) FROM deals WHERE status = 'open'")[0][0]
    listed = floor.list(TEAM_ID, owner, "").splitlines()
    assert open_deals < LIST_LIMIT
    money = command_floor._money(value, "USD")
    assert listed[0] == f"{open_deals} deals, {money} in total, {stuck} stuck"
    assert len(listed) == 1 + min(open_deals, LIST_ROWS)
    mine = _one(url, f"SELECT count(*) FROM deals WHERE status = 'open' AND owner_id = '{owner}'")
    assert floor.list(TEAM_ID, owner, "mine").startswith(f"{mine[0][0]} deals")
    assert floor.list(TEAM_ID, owner, "stuck").startswith(f"{stuck} deals")
