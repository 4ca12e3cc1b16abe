"""Best and worst sources need enough leads to mean something, are never "unknown", and are
told apart to one decimal (issue #15)."""

from __future__ import annotations

from assistant.blocks.funnel import groups_reply
from assistant.domain.periods import parse_period
from assistant.services import leads, reports
from assistant.services.context import Actor
from assistant.services.leads import NewLead

REP = Actor("T_TEST", "UREP")


def _leads(services, source: str, total: int, converted: int) -> None:
    for i in range(total):
        stage = "action" if i < converted else "awareness"
        leads.create_lead(services, REP, NewLead(name=f"{source} {i}", source=source, stage=stage))


def test_best_and_worst_need_enough_leads(services, clock):
    _leads(services, "webinar", 31, 4)  # 12.9 %
    _leads(services, "ads", 34, 4)  # 11.8 %: as "12 %" the two would look alike
    _leads(services, "unknown", 40, 20)  # 50 %, but nobody can act on "unknown"
    _leads(services, "referral", 2, 2)  # 100 % of 2 leads: too few to be "the best"
    clock.advance(minutes=1)  # periods end at "now", exclusive
    period = parse_period("7d", clock().tzinfo, clock())
    groups = reports.funnel_groups(services, REP, period, "source")
    assert (groups.best.group, groups.worst.group) == ("webinar", "ads")
    text = groups_reply(groups).text
    assert "best *webinar* (12.9% of 31 leads), worst *ads* (11.8% of 34 leads)" in text
    assert "referral: 2 leads, 100.0% overall" in text  # listed, just not ranked
