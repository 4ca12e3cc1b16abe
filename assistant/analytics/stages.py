"""The stage definitions and workspace facts every figure is laid out by."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.domain.stages import StageKind
from assistant.storage.models import Stage, Workspace

# Deals can sit in a stage key no stage row describes (a hand-edited import, say); such a key
# sorts after every real stage and weighs nothing.
UNKNOWN_POSITION = 10_000


@dataclass(frozen=True)
class StageInfo:
    key: str
    label: str
    position: int
    probability: Decimal
    target_days: int | None
    active: bool


@dataclass(frozen=True)
class StageSet:
    """Active stages in order, and every stage (hidden ones too) by key."""

    active: tuple[StageInfo, ...]
    by_key: dict[str, StageInfo]

    def get(self, key: str) -> StageInfo:
        known = self.by_key.get(key)
        if known is not None:
            return known
        return StageInfo(key, key, UNKNOWN_POSITION, Decimal(0), None, False)

    def laid_out(self, seen: Iterable[str]) -> list[StageInfo]:
        """The active stages, then any other stage that holds data, so no figure is lost."""
        active = {s.key for s in self.active}
        extra = sorted({self.get(k) for k in seen if k not in active}, key=_order)
        return [*self.active, *extra]


def _order(stage: StageInfo) -> tuple[int, str]:
    return stage.position, stage.key


def load_stage_set(session: Session, workspace_id: int, kind: StageKind) -> StageSet:
    rows = session.scalars(
        select(Stage).where(Stage.workspace_id == workspace_id, Stage.kind == kind.value)
    )
    infos = [
        StageInfo(s.key, s.label, s.position, s.probability or Decimal(0), s.target_days, s.active)
        for s in rows
    ]
    infos.sort(key=_order)
    return StageSet(tuple(s for s in infos if s.active), {s.key: s for s in infos})


def pipeline_stages(session: Session, workspace_id: int) -> StageSet:
    return load_stage_set(session, workspace_id, StageKind.PIPELINE)


def funnel_stages(session: Session, workspace_id: int) -> StageSet:
    return load_stage_set(session, workspace_id, StageKind.FUNNEL)


@dataclass(frozen=True)
class WorkspaceFacts:
    currency: str
    timezone: ZoneInfo


def workspace_facts(session: Session, workspace_id: int) -> WorkspaceFacts:
    row = session.execute(
        select(Workspace.currency, Workspace.timezone).where(Workspace.id == workspace_id)
    ).one()
    return WorkspaceFacts(row.currency or "USD", ZoneInfo(row.timezone or "UTC"))
