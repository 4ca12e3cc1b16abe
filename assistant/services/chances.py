"""Open deals' chances to be won, for lists: each deal's stage's chance, learned from the
team's history as the forecast uses it (or the configured one, as the admin chose).

The learned part is a count over every deal that reached the stage, read from the kept
history (analytics/histories.py) and kept five minutes, as a deal card's is: a statistic
over many deals says the same a few minutes later. The configured chance and the admin's
choice come with the stages the list reads anyway, so a change to them shows at once. A long
history the process has not read yet is read after the answer, so the next list shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from assistant.analytics.forecasting.learned import StageChance
from assistant.analytics.outlook import closed_by_stage
from assistant.domain.stages import StageSet
from assistant.services.context import Actor, Services
from assistant.services.workspaces import workspace_for_reading

FRESH_FOR = 300  # seconds the counts behind the chances serve lists
T = TypeVar("T")


def stage_chances(
    services: Services, session: Session, workspace_id: int, stages: StageSet, now: datetime
) -> dict[str, float] | None:
    """Per pipeline stage key, the chance the forecast uses for its deals; None while the
    workspace's history is long and not read yet (`read_history` reads it)."""
    counts = from_history(
        services, session, workspace_id, _key(workspace_id),
        lambda: closed_by_stage(session, workspace_id, now, services.histories),
    )  # fmt: skip
    if counts is None:
        return None
    return {
        stage.key: StageChance(float(stage.probability), *counts.get(stage.key, (0, 0)),
                               stage.forecast_uses).used
        for stage in stages.by_key.values()
    }  # fmt: skip


def from_history(
    services: Services,
    session: Session,
    workspace_id: int,
    key: Hashable,
    compute: Callable[[], T],
    fresh_for: float = FRESH_FOR,
) -> T | None:
    """A figure learned from the workspace's history, kept `fresh_for` seconds under `key`:
    computed now when the history is kept or short, else None (a command must not wait
    seconds for it; `read_history` reads it after the answer)."""
    found = services.memo.peek(key, fresh_for)
    if found is not None:
        return found  # type: ignore[return-value]
    if not services.histories.quick(session, workspace_id):
        return None
    return services.memo.get(key, fresh_for, compute)


def read_history(services: Services, actor: Actor) -> None:
    """Read the workspace's history into the process and count it, for the next list."""
    now = services.now()
    with services.db.reading() as session:
        workspace_id = workspace_for_reading(services, session, actor.team_id).id
        counts = closed_by_stage(session, workspace_id, now, services.histories)
    services.memo.get(_key(workspace_id), FRESH_FOR, lambda: counts)


def _key(workspace_id: int) -> tuple:
    return ("closed by stage", workspace_id)
