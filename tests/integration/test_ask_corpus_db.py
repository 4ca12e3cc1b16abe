"""The question corpus on a real workspace, on both databases (issue #17): the corpus world
is built through the services, the parser's vocabulary is read back from the database, and
the questions must still map to their commands."""

from __future__ import annotations

from datetime import timedelta

from assistant.ask import Understood, understand
from assistant.services import asking, deals, leads, people, settings
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.services.leads import NewLead
from assistant.services.people import SlackProfile
from testkit.ask_world import NOW, TZ, corpus, expected, outcome, vocabulary
from tests.unit.test_ask_corpus import PASS_MARK

TEAM = "T_TEST"


def build_corpus_world(services, clock, admin) -> Actor:
    words = corpus()["vocabulary"]
    settings.update_settings(services, admin, timezone=str(TZ))
    people.remember(services, TEAM, [
        SlackProfile(user_id, names[0], real_name=names[1]) for user_id, names in words["people"]
    ])  # fmt: skip
    asker = Actor(TEAM, words["asker"])
    companies = sorted(words["companies"], key=len, reverse=True)
    wanted = {number: (name, status) for number, name, status in words["deals"]}
    clock.set(NOW - timedelta(days=400))
    for number in range(1, max(wanted) + 1):
        name, status = wanted.get(number, (f"Filler {number}", "filler"))
        company = next((c for c in companies if name.startswith(c)), None)
        made = deals.create_deal(services, asker, NewDeal(name, company=company))
        assert made.number == number
    # Fillers closed long ago: too old for the vocabulary, as a workspace's old deals are.
    clock.set(NOW - timedelta(days=300))
    for number in set(range(1, max(wanted) + 1)) - set(wanted):
        deals.lose_deal(services, asker, f"#{number}", "old")
    clock.set(NOW - timedelta(days=10))
    for number, (_, status) in wanted.items():
        if status == "won":
            deals.win_deal(services, asker, f"#{number}")
        elif status == "lost":
            deals.lose_deal(services, asker, f"#{number}", "no budget")
    for source, campaign in zip(words["sources"], words["campaigns"], strict=True):
        leads.create_lead(
            services, asker, NewLead(f"Lead {source}", source=source, campaign=campaign)
        )
    clock.set(NOW)
    return asker


def test_the_vocabulary_read_from_the_database_is_the_corpus_world(services, clock, admin):
    asker = build_corpus_world(services, clock, admin)
    found, world = asking.vocabulary_for(services, asker), vocabulary()
    assert (found.pipeline, found.funnel) == (world.pipeline, world.funnel)
    for field in ("sources", "campaigns", "companies", "deals", "people"):
        assert set(getattr(found, field)) == set(getattr(world, field)), field
    assert found.asker == world.asker


def test_the_corpus_is_answered_from_the_database(services, clock, admin):
    asker = build_corpus_world(services, clock, admin)
    words = asking.vocabulary_for(services, asker)
    cases, misses = 0, []
    for case in corpus()["questions"]:
        cases += 1
        got = outcome(understand(case["q"], words, NOW, TZ))
        if got != expected(case):
            misses.append(f"{case['q']!r}: want {expected(case)}, got {got}")
    for case in corpus()["followups"]:
        cases += 1
        first = understand(case["first"], words, NOW, TZ)
        previous = first if isinstance(first, Understood) else None
        got = outcome(understand(case["then"], words, NOW, TZ, previous))
        if got != case["expect"]:
            misses.append(f"{case['first']!r} then {case['then']!r}: got {got}")
    score = 1 - len(misses) / cases
    assert score >= PASS_MARK, f"{score:.1%} of {cases}:\n" + "\n".join(misses)
