"""The stages and workspace terms every figure is laid out by, read from the database."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from assistant.domain.facts import Facts
from assistant.domain.stages import StageDef, StageKind, StageSet
from assistant.storage.models import Stage, Workspace
from assistant.storage.prebuilt import run

STAGE_COLUMNS = (
    Stage.key, Stage.label, Stage.position, Stage.probability, Stage.target_days, Stage.active,
    Stage.forecast_uses,
)  # fmt: skip


_STAGES = (
    select(*STAGE_COLUMNS)
    .where(Stage.workspace_id == bindparam("workspace_id"), Stage.kind == bindparam("kind"))
    .order_by(Stage.position, Stage.id)
)
_TERMS = select(Workspace.currency, Workspace.timezone).where(
    Workspace.id == bindparam("workspace_id")
)


def read_stage_defs(session: Session, workspace_id: int, kind: StageKind) -> list[StageDef]:
    """Every stage of a kind (hidden ones too), in order."""
    rows = run(session, _STAGES, workspace_id=workspace_id, kind=kind.value)
    return [
        StageDef(key, label, position, probability or Decimal(0), target, active, uses)
        for key, label, position, probability, target, active, uses in rows
    ]


def load_stage_set(session: Session, workspace_id: int, kind: StageKind) -> StageSet:
    return StageSet.of(read_stage_defs(session, workspace_id, kind))


def pipeline_stages(session: Session, workspace_id: int) -> StageSet:
    return load_stage_set(session, workspace_id, StageKind.PIPELINE)


def funnel_stages(session: Session, workspace_id: int) -> StageSet:
    return load_stage_set(session, workspace_id, StageKind.FUNNEL)


def workspace_facts(session: Session, workspace_id: int) -> Facts:
    row = run(session, _TERMS, workspace_id=workspace_id).one()
    pipeline = pipeline_stages(session, workspace_id)
    return Facts(row.currency or "USD", row.timezone or "UTC", pipeline)
