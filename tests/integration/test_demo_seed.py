"""The demo's sample workspace, seeded through the services, on both databases."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant.analytics.bottlenecks import bottleneck_report
from assistant.analytics.funnel import funnel
from assistant.demo import store
from assistant.demo.sample import TEAM_ID
from assistant.demo.seed import seed_demo
from assistant.domain.periods import parse_period
from assistant.domain.stages import DEFAULT_FUNNEL, DEFAULT_PIPELINE
from assistant.services import deals
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.storage.database import Database
from assistant.storage.models import Change, Deal, Lead, Note, User, Workspace
from testkit.dbdump import dump

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCALE = 0.25  # about 70 deals and 250 leads: every stage populated, a few seconds to seed
PIPELINE = [s.key for s in DEFAULT_PIPELINE]


def _rows(db: Database) -> list[str]:
    """Every demo row in a fixed order, as text: equal lists mean equal databases."""
    out: list[str] = []
    with db.reading() as session:
        for model in (Workspace, User, Deal, Lead, Change, Note):
            columns = [c for c in model.__table__.columns if c.name != "id"]
            query = select(*columns).order_by(*model.__table__.primary_key.columns)
            out += [f"{model.__tablename__}: {tuple(row)!r}" for row in session.execute(query)]
    return out


@pytest.fixture(scope="module")
def reference_rows(tmp_path_factory, sqlite_template) -> list[str]:
    path = tmp_path_factory.mktemp("demo") / "reference.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    seed_demo(db, scale=0.05, now=NOW)
    rows = _rows(db)
    db.dispose()
    return rows


def test_the_sample_has_a_bottleneck_a_full_pipeline_and_funnel_and_whole_histories(db):
    result = seed_demo(db, scale=SCALE, now=NOW)
    assert result.deals > 50 and result.leads > 200
    with db.reading() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == TEAM_ID))
        all_deals = session.scalars(select(Deal)).all()
        all_leads = session.scalars(select(Lead)).all()
        actions = Counter(session.scalars(select(Change.action).where(Change.entity == "deal")))
        report = bottleneck_report(session, workspace.id, parse_period("30d", UTC_ZONE, NOW), NOW)
        cohort = funnel(session, workspace.id, parse_period("365d", UTC_ZONE, NOW))
        session.expunge_all()  # keep the loaded rows readable after the session ends
    open_stages = Counter(d.stage_key for d in all_deals if d.status == "open")
    assert set(open_stages) == set(PIPELINE), open_stages
    assert report.bottleneck is not None and report.bottleneck.key == "solution"
    assert report.bottleneck.stuck_count >= 3
    assert report.stuck_total > report.bottleneck.stuck_count  # other stages have some too
    assert all(step.reached.current > 0 for step in cohort.steps)
    assert [s.key for s in cohort.steps] == [s.key for s in DEFAULT_FUNNEL]
    statuses = Counter(lead.status for lead in all_leads)
    assert statuses["dropped"] > 0 and statuses["converted"] > 0 and statuses["open"] > 0
    assert {lead.source for lead in all_leads} >= {"webinar", "ads", "referral", "events"}
    assert None in {lead.campaign for lead in all_leads}
    assert {"won", "lost", "reopen", "note", "move"} <= set(actions)
    assert all(d.lost_reason for d in all_deals if d.status == "lost")
    assert all(2_000 <= d.amount <= 250_000 for d in all_deals)
    assert min(d.created_at for d in all_deals) < NOW.replace(month=NOW.month - 2) < NOW
    _assert_whole_stage_histories(db)


def _assert_whole_stage_histories(db: Database) -> None:
    """Replaying each deal's `stage_key` changes ends where the deal is, in time order."""
    moved_back = 0
    with db.reading() as session:
        by_deal: dict[int, list[Change]] = {}
        query = select(Change).where(Change.entity == "deal", Change.field == "stage_key")
        for change in session.scalars(query.order_by(Change.id)):
            by_deal.setdefault(change.entity_id, []).append(change)
        for deal in session.scalars(select(Deal)):
            history = by_deal[deal.id]
            assert history[0].action == "create" and history[0].at == deal.created_at
            assert history[-1].new_value == deal.stage_key
            for before, after in zip(history, history[1:], strict=False):
                assert after.old_value == before.new_value and after.at >= before.at
                moved_back += PIPELINE.index(after.new_value) < PIPELINE.index(after.old_value)
            # Reopening into the stage a deal was lost from changes no `stage_key`; its
            # entry time then comes from the reopen, so it is never before the last move.
            assert history[-1].at <= deal.stage_entered_at <= NOW
    assert moved_back > 0


def test_same_seed_same_rows_on_either_database(db, reference_rows):
    seed_demo(db, scale=0.05, now=NOW)
    assert _rows(db) == reference_rows
    assert len(reference_rows) > 500


def test_another_seed_another_sample(tmp_path, sqlite_template, reference_rows):
    shutil.copy(sqlite_template, tmp_path / "other.db")
    db = Database(f"sqlite:///{tmp_path / 'other.db'}")
    seed_demo(db, seed=8, scale=0.05, now=NOW)
    assert _rows(db) != reference_rows
    db.dispose()


def test_prepare_seeds_once_and_redoes_a_cut_short_seeding(db):
    seed_demo(db, scale=0.02, now=NOW)  # as if interrupted: never marked complete
    assert not store.is_seeded(db)
    assert store.prepare(db, scale=0.02) is not None
    assert store.is_seeded(db)
    assert store.prepare(db, scale=0.02) is None  # reused
    assert store.prepare(db, scale=0.02, reset=True) is not None
    with db.reading() as session:
        teams = Counter(session.scalars(select(Workspace.team_id)))
        assert teams == {TEAM_ID: 1}
        orphans = select(Change.id).where(Change.workspace_id.not_in(select(Workspace.id)))
        assert session.scalars(orphans).first() is None


def test_prepare_never_touches_a_database_with_other_data(db, services):
    """Issue #15: `demo --database` on a database holding an import re-seeded the sample and
    deleted every imported deal. Now it refuses and changes nothing."""
    deals.create_deal(services, Actor("T_TEST", "UREP"), NewDeal(name="A real deal"))
    before = dump(db)
    with pytest.raises(store.NotTheDemo, match="other workspaces"):
        store.prepare(db, scale=0.02)
    with pytest.raises(store.NotTheDemo):
        store.prepare(db, scale=0.02, reset=True)
    assert dump(db) == before


UTC_ZONE = ZoneInfo("UTC")
