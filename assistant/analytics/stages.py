"""The stages and workspace terms every figure is laid out by, read from the database."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from assistant.domain.facts import Facts
from assistant.domain.stages import StageDef, StageKind, StageSet
from assistant.storage.kept import kept
from assistant.storage.models import Stage, Workspace
from assistant.storage.prebuilt import run

STAGE_COLUMNS = (
    Stage.kind, Stage.key, Stage.label, Stage.position, Stage.probability, Stage.target_days,
    Stage.active, Stage.forecast_uses,
)  # fmt: skip


# Both kinds at once: a command that lays out the pipeline often counts the funnel too, and
# one statement of ten rows costs about what one of six does.
_STAGES = (
    select(*STAGE_COLUMNS)
    .where(Stage.workspace_id == bindparam("workspace_id"))
    .order_by(Stage.kind, Stage.position, Stage.id)
)
_TERMS = select(Workspace.currency, Workspace.timezone).where(
    Workspace.id == bindparam("workspace_id")
)


def stage_defs_by_kind(rows) -> dict[str, list[StageDef]]:
    """Rows of `STAGE_COLUMNS` (NULLs from an outer join skipped), per kind, in order."""
    by_kind: dict[str, list[StageDef]] = {kind.value: [] for kind in StageKind}
    for kind, key, label, position, probability, target, active, uses in rows:
        if key is not None:
            defs = by_kind.setdefault(kind, [])
            defs.append(
                StageDef(key, label, position, probability or Decimal(0), target, active, uses)
            )
    return by_kind


def read_stage_defs(session: Session, workspace_id: int, kind: StageKind) -> list[StageDef]:
    """Every stage of a kind (hidden ones too), in order; read once per transaction
    (storage/kept.py) unless the transaction changes them."""
    by_kind = kept(
        session,
        ("stages", workspace_id),
        lambda: stage_defs_by_kind(run(session, _STAGES, workspace_id=workspace_id)),
    )
    return list(by_kind[kind.value])


def load_stage_set(session: Session, workspace_id: int, kind: StageKind) -> StageSet:
    return StageSet.of(read_stage_defs(session, workspace_id, kind))


def pipeline_stages(session: Session, workspace_id: int) -> StageSet:
    return load_stage_set(session, workspace_id, StageKind.PIPELINE)


def funnel_stages(session: Session, workspace_id: int) -> StageSet:
    return load_stage_set(session, workspace_id, StageKind.FUNNEL)


def workspace_facts(session: Session, workspace_id: int) -> Facts:
    currency, timezone = kept(
        session,
        ("workspaces", workspace_id),
        lambda: tuple(run(session, _TERMS, workspace_id=workspace_id).one()),
    )
    pipeline = pipeline_stages(session, workspace_id)
    return Facts(currency or "USD", timezone or "UTC", pipeline)
