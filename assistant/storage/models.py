"""The database schema as typed SQLAlchemy models.

Every row belongs to one workspace (a Slack team); every query filters on `workspace_id`
first, which is why it leads each composite index.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from assistant.domain.limits import (
    MAX_EMAIL,
    MAX_LABEL,
    MAX_NAME,
    MAX_REASON,
    MAX_STAGE_KEY,
    MAX_STAGE_LABEL,
    MAX_USER_ID,
)
from assistant.storage.types import Money, Probability, UTCDateTime

# Named constraints let Alembic alter them later, and SQLite batch mode needs names to
# rebuild tables.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Money()
PROBABILITY = Probability()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    feed_channel: Mapped[str | None] = mapped_column(String(32))
    feed_moves: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per-workspace counters for the numbers users type (#12, L7); bumped with an UPDATE so
    # two concurrent creations never get the same number.
    deal_seq: Mapped[int] = mapped_column(Integer, default=0)
    lead_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class User(Base):
    """A Slack user's role in a workspace; users without a row are reps."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), default="rep")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Person(Base):
    """Who someone is in a workspace: a Slack user (names, e-mail and time zone from
    users.info, refreshed now and then) or an owner named in an imported file who is not
    linked to a Slack user yet (no `slack_user_id`). Tables and files show people by name."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        Index("ix_people_workspace_name", "workspace_id", "name_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str | None] = mapped_column(String(MAX_USER_ID))
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    name_folded: Mapped[str] = mapped_column(String(MAX_NAME))
    real_name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    timezone: Mapped[str | None] = mapped_column(String(64))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Target(Base):
    """A revenue target: won value to reach in a period, for the team or one owner."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("workspace_id", "owner_key", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    owner_key: Mapped[str] = mapped_column(String(MAX_USER_ID))  # "" for the whole team
    label: Mapped[str] = mapped_column(String(MAX_STAGE_LABEL))  # the period as typed
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    created_by: Mapped[str] = mapped_column(String(MAX_USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AskThread(Base):
    """The last question understood in a conversation (a thread, or a DM without one), so a
    follow-up ("and by source?") can build on it from any worker and after a restart."""

    __tablename__ = "ask_threads"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", "thread_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))  # "" for a DM's top level
    understood: Mapped[str] = mapped_column(Text)  # JSON of the parser's `Understood`
    asked_by: Mapped[str] = mapped_column(String(MAX_USER_ID))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AskConfirmation(Base):
    """A Confirm button's one-time token, claimed by the first click: a change asked for in
    words happens once, however often (or by however many people) the button is pressed."""

    __tablename__ = "ask_confirmations"
    __table_args__ = (UniqueConstraint("workspace_id", "token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(32))
    claimed_by: Mapped[str] = mapped_column(String(MAX_USER_ID))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # pipeline | funnel
    key: Mapped[str] = mapped_column(String(MAX_STAGE_KEY))
    label: Mapped[str] = mapped_column(String(MAX_STAGE_LABEL))
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[Decimal] = mapped_column(PROBABILITY, default=Decimal("0"))
    target_days: Mapped[int | None] = mapped_column(Integer)
    # A stage removed from the pipeline while deals still sit in it is hidden, not deleted,
    # so those deals and their history keep a meaning.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The forecast's probability: learned | configured | None (learned once enough closed).
    forecast_uses: Mapped[str | None] = mapped_column(String(16))


class Forecast(Base):
    """A period's forecast as made at one time (its start, then weekly), scored when the
    period is over: the track record `/pipeline forecast accuracy` shows."""

    __tablename__ = "forecasts"
    __table_args__ = (UniqueConstraint("workspace_id", "starts_at", "ends_at", "made_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(MAX_STAGE_LABEL))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    won_before: Mapped[Decimal] = mapped_column(MONEY)  # won in the period before made_at
    p10: Mapped[Decimal] = mapped_column(MONEY)  # P10..P90 include won_before
    p50: Mapped[Decimal] = mapped_column(MONEY)
    p90: Mapped[Decimal] = mapped_column(MONEY)
    expected_count: Mapped[float] = mapped_column(Float)
    # JSON {deal id: [probability used, configured]} of the open deals, for the Brier scores.
    deals: Mapped[str] = mapped_column(Text)
    actual: Mapped[Decimal | None] = mapped_column(MONEY)
    error: Mapped[float | None] = mapped_column(Float)  # (actual - P50) / P50
    inside: Mapped[bool | None] = mapped_column(Boolean)  # actual within P10..P90
    brier_learned: Mapped[float | None] = mapped_column(Float)
    brier_configured: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_leads_workspace_created", "workspace_id", "created_at"),
        Index("ix_leads_workspace_status_stage", "workspace_id", "status", "stage_key"),
        Index("ix_leads_workspace_email", "workspace_id", "email"),
        # The vendor's record id (HubSpot's contact id, Olist's MQL id): re-imports and the
        # deals that name their lead find it by this.
        Index("uq_leads_workspace_external", "workspace_id", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    # Case-folded copy of the name: SQLite's LIKE folds only ASCII, so fragment look-ups
    # ("müller") search this column on both databases.
    name_folded: Mapped[str] = mapped_column(String(MAX_NAME))
    company: Mapped[str | None] = mapped_column(String(MAX_NAME))
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    source: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    campaign: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    stage_key: Mapped[str] = mapped_column(String(MAX_STAGE_KEY))
    # The furthest funnel stage ever reached: a dropped lead keeps it, and the funnel's
    # reached(S) counts read it directly.
    furthest_stage_key: Mapped[str] = mapped_column(String(MAX_STAGE_KEY))
    status: Mapped[str] = mapped_column(String(16), default="open")
    drop_reason: Mapped[str | None] = mapped_column(String(MAX_REASON))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_id: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_deals_workspace_status_stage", "workspace_id", "status", "stage_key"),
        Index("ix_deals_workspace_owner_status", "workspace_id", "owner_id", "status"),
        Index("ix_deals_workspace_closed", "workspace_id", "closed_at"),
        Index("ix_deals_workspace_created", "workspace_id", "created_at"),
        Index("ix_deals_workspace_status_close", "workspace_id", "status", "close_date"),
        Index("ix_deals_lead", "lead_id"),
        # Re-imports find deals by the vendor's record id; unique, so a file imported twice
        # can never create the same deal twice, whatever writes the ids.
        Index("uq_deals_workspace_external", "workspace_id", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    name_folded: Mapped[str] = mapped_column(String(MAX_NAME))
    company: Mapped[str | None] = mapped_column(String(MAX_NAME))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    owner_id: Mapped[str] = mapped_column(String(32))
    # For a closed deal this stays the stage it was closed from, so `reopen` can return
    # there and reports can say where deals are lost.
    stage_key: Mapped[str] = mapped_column(String(MAX_STAGE_KEY))
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    lost_reason: Mapped[str | None] = mapped_column(String(MAX_REASON))
    close_date: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    campaign: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    external_id: Mapped[str | None] = mapped_column(String(MAX_LABEL))
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Optimistic concurrency: an UPDATE that finds another version raises instead of
    # silently overwriting someone else's change.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Change(Base):
    """Append-only history: one row per changed field of a deal, lead, stage or setting.

    Rows are only ever inserted; the figures of stage stays and movement are computed from
    the `stage` and `status` rows, so they must be complete.
    """

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_entity", "workspace_id", "entity", "entity_id", "id"),
        # Stays and movement read one entity's stage/status rows in a time window; with
        # `entity` in the key the other entities' rows (leads outnumber deals) are never read.
        Index("ix_changes_workspace_entity_field_at", "workspace_id", "entity", "field", "at"),
        # The stays that ended in a period (analytics.stays) are one range of this index:
        # only the rows that end a stay are in it, and on PostgreSQL it carries every column
        # that read returns, so the read need not visit the table (issue 20, 1M deals).
        Index(
            "ix_changes_stay_ends",
            "workspace_id",
            "at",
            postgresql_include=["entity_id", "field", "new_value", "stay_stage", "stay_began_at"],
            postgresql_where=text("stay_began_at IS NOT NULL"),
            sqlite_where=text("stay_began_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(16))  # deal | lead | stage | settings | role
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create, move, won, lost, reopen, ...
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # On a row that ends a deal's stay in a stage (a stage change of an open deal, or its
    # closing), the stage left and when the deal had entered it; NULL on every other row.
    # Written with the row (records.history.Stay), so the stays of a period are read, not
    # replayed from the rows before each one.
    stay_stage: Mapped[str | None] = mapped_column(String(MAX_STAGE_KEY))
    stay_began_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_deal", "deal_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestSubscription(Base):
    __tablename__ = "digest_subscriptions"
    __table_args__ = (Index("ix_digest_subscriptions_active", "active", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # pipeline | funnel | both
    frequency: Mapped[str] = mapped_column(String(16))  # daily | weekdays | weekly | monthly
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday, for weekly
    at_time: Mapped[str] = mapped_column(String(5))  # HH:MM local
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestDelivery(Base):
    """One scheduled occurrence of a subscription.

    The unique (subscription, occurrence) pair is the exactly-once key: a scheduler process
    inserts the row to claim the occurrence before posting, and a second process's insert
    fails, so it never posts the same occurrence again.
    """

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "occurrence_at"),
        Index("ix_digest_deliveries_status", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE")
    )
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(16)
    )  # claimed | posted | retrying | failed | skipped
    delayed: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    # Charts of a posted digest: pending | sharing (leased by next_attempt_at) | NULL (done)
    charts: Mapped[str | None] = mapped_column(String(16))


class ProcessedRequest(Base):
    """Keys of Slack deliveries already handled (event ids, trigger ids), so a retried or
    replayed delivery changes nothing the second time."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class NudgeSetting(Base):
    """One person's nudge preferences; the row with `slack_user_id` "" holds the workspace's
    defaults (and its switch for everyone). A missing value falls back to the defaults."""

    __tablename__ = "nudge_settings"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(MAX_USER_ID))
    enabled: Mapped[bool | None] = mapped_column(Boolean)
    at_time: Mapped[str | None] = mapped_column(String(5))  # HH:MM local
    days: Mapped[str | None] = mapped_column(String(20))  # "0,1,2,3,4", 0 = Monday
    budget: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(MAX_USER_ID))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ManagerLink(Base):
    """Who manages whom (`/sales team @manager @rep ...`): one manager per rep."""

    __tablename__ = "manager_links"
    __table_args__ = (UniqueConstraint("workspace_id", "rep_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    rep_id: Mapped[str] = mapped_column(String(MAX_USER_ID))
    manager_id: Mapped[str] = mapped_column(String(MAX_USER_ID))
    created_by: Mapped[str] = mapped_column(String(MAX_USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NudgeSend(Base):
    """One person's nudge DM of one local day.

    The unique (workspace, user, day) is the exactly-once key, as (subscription, occurrence)
    is for digests: a scheduler inserts the row to claim the day before sending, and the
    states and lease are the digest ledger's (claimed, posting, posted, retrying, failed,
    skipped), plus `empty` for a day with nothing due (no DM).
    """

    __tablename__ = "nudge_sends"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id", "day"),
        Index("ix_nudge_sends_status", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(MAX_USER_ID))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    budget: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer, default=0)  # items due, shown or not
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)


class NudgeItem(Base):
    """One deal in one nudge DM: why it was there, and what became of it.

    `state`: sent -> acted (a click, or any change within 24 h) | snoozed | ignored (no
    action by the next nudge) | escalated (ignored across two nudges, passed to the manager).
    """

    __tablename__ = "nudge_items"
    __table_args__ = (
        Index("ix_nudge_items_send", "send_id", "position"),
        Index("ix_nudge_items_deal", "workspace_id", "deal_id", "sent_at"),
        # Settling finds the items still `sent` a day on; stats read a period's items.
        Index("ix_nudge_items_state", "workspace_id", "state", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    send_id: Mapped[int] = mapped_column(ForeignKey("nudge_sends.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(MAX_USER_ID))  # the deal's rep when sent
    position: Mapped[int] = mapped_column(Integer)  # 0.. shown; from `budget` on: "and N more"
    reason: Mapped[str] = mapped_column(String(16))  # stuck | close_passed | quiet
    stage_key: Mapped[str] = mapped_column(String(MAX_STAGE_KEY))  # where the deal was
    deal_version: Mapped[int] = mapped_column(Integer)
    value_at_risk: Mapped[Decimal] = mapped_column(MONEY)
    overdue_hours: Mapped[int] = mapped_column(Integer, default=0)  # past the reason's limit
    escalation: Mapped[bool] = mapped_column(Boolean, default=False)  # in a manager's DM
    state: Mapped[str] = mapped_column(String(16), default="sent")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acted_by: Mapped[str | None] = mapped_column(String(MAX_USER_ID))
    outcome: Mapped[str | None] = mapped_column(String(200))  # "moved to Proposal", ...


class NudgeSnooze(Base):
    """A deal kept out of nudges until `until`."""

    __tablename__ = "nudge_snoozes"
    __table_args__ = (UniqueConstraint("workspace_id", "deal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    snoozed_by: Mapped[str] = mapped_column(String(MAX_USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
