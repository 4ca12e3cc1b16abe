"""Which slash commands may change data, and so go through the replay check (app.py)."""

from __future__ import annotations

import pytest

from assistant.commands import all_command_sets, may_change_data

READS = [
    ("/deal", "show 12"),
    ("/deal", "SHOW #12 share"),
    ("/deal", "share list mine stuck"),
    ("/deal", "list won 30d"),
    ("/deal", "help move"),
    ("/deal", ""),  # help
    ("/deal", "shwo 12"),  # an unknown word: answered with help, runs nothing
    ("/deal", 'show "unclosed quote'),
    ("/lead", "show L7"),
    ("/lead", "list mine"),
    ("/pipeline", ""),  # the default: the board
    ("/pipeline", "share"),
    ("/pipeline", "bottlenecks 30d"),
    ("/pipeline", "forecast this quarter"),
    ("/funnel", "30d source:google"),  # the default takes arguments: the report
    ("/funnel", "sources last month"),
    ("/pipeline", "results last quarter by:owner"),
    ("/funnel", "cohorts by:week"),
    ("/sales", "targets"),
    ("/digest", "list"),
    ("/digest", "preview pipeline"),
    ("/sales", ""),
    ("/sales", "roles"),
    ("/nudge", ""),  # one's settings and what one would get today
    ("/nudge", "stats last month by:rep"),
]
CHANGES = [
    ("/deal", "new Acme 12k"),
    ("/deal", "new"),  # opens a form
    ("/deal", "move 12 next"),
    ("/deal", "share won 12"),
    ("/deal", "note 12 please show the deck"),
    ("/lead", "convert L7 12k"),
    ("/pipeline", "stages"),  # shows, or (with `set`) replaces: checked
    ("/pipeline", "stage proposal target:10d"),
    ("/funnel", "chart 7d"),  # posts a picture in the channel
    ("/digest", "send pipeline"),
    ("/digest", "subscribe pipeline daily"),
    ("/sales", "settings tz:Europe/Berlin"),
    ("/sales", "role <@U1|ana> manager"),
    ("/sales", "target team 250k this quarter"),
    ("/nudge", "max 3"),
    ("/unknown", "show 1"),  # not ours: checked
]


@pytest.mark.parametrize(("command", "text"), READS)
def test_reads_skip_the_replay_check(command, text):
    assert not may_change_data({"command": command, "text": text, "trigger_id": "1.2"})


@pytest.mark.parametrize(("command", "text"), CHANGES)
def test_changes_go_through_it(command, text):
    assert may_change_data({"command": command, "text": text, "trigger_id": "1.2"})


def test_events_and_interactions_always_do():
    assert may_change_data({"event_id": "Ev1", "event": {"type": "app_home_opened"}})
    assert may_change_data({"type": "block_actions", "trigger_id": "1.2"})
    assert may_change_data({"type": "view_submission", "trigger_id": "1.2"})


def test_only_listed_subcommands_are_read_only():
    """A new subcommand is checked until someone marks it read-only on purpose."""
    read_only = {
        (c.command, s.name) for c in all_command_sets() for s in c.subcommands if not s.writes
    }
    assert read_only == {
        ("/deal", "show"), ("/deal", "list"), ("/lead", "show"), ("/lead", "list"),
        ("/pipeline", "board"), ("/pipeline", "bottlenecks"), ("/pipeline", "forecast"),
        ("/pipeline", "results"), ("/funnel", "report"), ("/funnel", "sources"),
        ("/funnel", "campaigns"), ("/funnel", "cohorts"), ("/digest", "list"),
        ("/digest", "preview"), ("/sales", "help"), ("/sales", "roles"), ("/sales", "targets"),
        ("/nudge", "show"), ("/nudge", "stats"),
    }  # fmt: skip
