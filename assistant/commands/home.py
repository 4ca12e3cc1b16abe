"""The App Home tab: the user's own open deals by stage, stuck ones flagged, their quarter's
results and target, workspace totals.

Published when the user opens the tab and again after each change they make (the edge does
the publishing), so it is current without a refresh button.
"""

from __future__ import annotations

from slack_sdk.models.views import View

from assistant.blocks.home import home_view
from assistant.services import reports
from assistant.services.context import Actor, Services
from assistant.services.queries import DealFilter, list_deals


def home_for(services: Services, actor: Actor) -> View:
    mine = list_deals(services, actor, DealFilter(owner_id=actor.user_id))
    facts = mine.facts
    return home_view(
        deals=mine.items,
        total=mine.total,
        stages=list(facts.pipeline.active),
        totals=reports.open_totals(services, actor),
        currency=facts.currency,
        now=services.now().astimezone(facts.zone),
        results=reports.my_results(services, actor),
    )
