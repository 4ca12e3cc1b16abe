"""The fleet's workspaces, as real installs and a few months of use would leave them.

Per workspace, through the product's own code: the installation, saved by the installation
store the OAuth flow uses (a slack_sdk `Installation` with the team's own bot token; saving
it creates the workspace row with its default stages), the manager and marketers' roles
(`set_role`), and the 09:00 daily pipeline digest in the team's #sales channel
(`subscribe`, by the manager). Every `FUNNEL_EVERY`-th workspace also gets the funnel
digest at 09:00 in the same channel, so some channels get two messages at once.

Each pipeline is the bench generator's (`testkit.workspace_plan`, written through the
product's batch write path like the benchmark's workspaces) for a small team: the plan of
`PLAN` deals and leads over the generator's 540 days, cut at this morning after its first 180
days, so a third of it has happened and the deals created lately are still open (a steady
pipeline: about 50 deals, a dozen open, and their history).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import text

from assistant.domain.roles import Role
from assistant.domain.schedule import Schedule
from assistant.listeners.oauth import WorkspaceInstallationStore
from assistant.services.context import Actor, Services
from assistant.services.nudging.prefs import set_defaults as set_nudge_defaults
from assistant.services.roles import set_role
from assistant.services.subscriptions import subscribe
from assistant.storage.database import Database
from testkit import workspace_plan as P
from testkit.generate import bulk_load, write_plans

CLIENT_ID, CLIENT_SECRET = "1111.2222", "fleet-client-secret"
ZONE, AT = "Europe/Berlin", "09:00"  # one zone for all: every digest due at the same instant
FUNNEL_EVERY = 10
PLAN = P.Spec(150, 300)  # deals, leads over 540 days; a third of it is written
AHEAD = timedelta(days=360)  # the plan ends this long after the cut


@dataclass(frozen=True)
class Team:
    index: int
    team_id: str
    token: str
    channel: str
    kinds: tuple[str, ...]


def teams(n: int, funnel_every: int = FUNNEL_EVERY) -> list[Team]:
    out = []
    for i in range(1, n + 1):
        kinds = ("pipeline", "funnel") if funnel_every and i % funnel_every == 0 else ("pipeline",)
        out.append(
            Team(i, f"T{i:08d}", f"xoxb-{i:08d}-fleet-{i * 7919 % 100003:05d}", f"C{i:08d}", kinds)
        )
    return out


@dataclass
class Counts:
    workspaces: int = 0
    subscriptions: int = 0
    deals: int = 0
    open_deals: int = 0
    leads: int = 0
    changes: int = 0


def setup(url: str, fleet: list[Team], target: datetime, threads: int = 4) -> Counts:
    """Install and fill every team; digests subscribed the evening before `target`."""
    cut = target - timedelta(minutes=30)
    installed_at = cut - timedelta(days=181)
    subscribed_at = target - timedelta(hours=16)
    database = Database(url)
    now = {"at": installed_at}
    services = Services(
        db=database, clock=lambda: now["at"], admins=frozenset({P.ADMIN}), default_timezone=ZONE
    )
    store = WorkspaceInstallationStore(CLIENT_ID, services)
    workers = 1 if database.is_sqlite else threads

    def install(team: Team) -> None:
        store.save(
            Installation(
                app_id="AFLEET",
                team_id=team.team_id,
                team_name=f"Team {team.index}",
                bot_token=team.token,
                bot_id=f"B{team.index:08d}",
                bot_user_id=f"U{team.index:08d}BOT",
                bot_scopes="chat:write,commands,files:write,users:read,channels:read",
                user_id="UINSTALLER",
                installed_at=installed_at.timestamp(),
            )
        )
        admin = Actor(team.team_id, P.ADMIN)
        set_role(services, admin, P.MANAGER, Role.MANAGER)
        for marketer in P.MARKETERS:
            set_role(services, admin, marketer, Role.MARKETER)
        # The fleet measures the 09:00 digests; the reps' nudges (also due at 09:00) have their
        # own benchmark (bench/nudges_speed.py) and would only add DMs the check cannot place.
        set_nudge_defaults(services, admin, enabled=False)

    def subscribe_all(team: Team) -> None:
        manager = Actor(team.team_id, P.MANAGER)
        schedule = Schedule(frequency="daily", at_time=AT, timezone=ZONE)
        for kind in team.kinds:
            subscribe(services, manager, team.channel, kind, schedule)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(install, fleet))
        now["at"] = subscribed_at
        list(pool.map(subscribe_all, fleet))
    with database.reading() as session:
        ids = dict(session.execute(text("SELECT team_id, id FROM workspaces")).tuples().all())
    database.dispose()
    counts = load_pipelines(url, [(ids[t.team_id], t.index) for t in fleet], cut)
    counts.workspaces = len(fleet)
    counts.subscriptions = sum(len(t.kinds) for t in fleet)
    return counts


def load_pipelines(url: str, workspaces: list[tuple[int, int]], cut: datetime) -> Counts:
    """Every workspace's deals, leads and history, in one transaction."""
    counts = Counts()

    def load(session) -> None:
        for ws, seed in workspaces:
            leads, deals = _plans(seed, cut)
            made_leads, made_deals = write_plans(session, ws, leads, deals, cut)
            counts.leads += made_leads
            counts.deals += made_deals
        counts.open_deals = session.scalar(text("SELECT count(*) FROM deals WHERE status = 'open'"))
        counts.changes = session.scalar(text("SELECT count(*) FROM changes"))

    # Small workspaces, each looking its leads up by number: the indexes stay.
    bulk_load(url, load, drop_indexes=False)
    return counts


def _plans(seed: int, cut: datetime) -> tuple[list[P.LeadPlan], list[P.DealPlan]]:
    """The plan's leads and deals as of `cut`: those created before it, their ops up to it."""
    spec = P.Spec(PLAN.deals, PLAN.leads, seed=seed, now=cut + AHEAD)
    all_leads = list(P.leads(spec))
    converted = [lp.deal for lp in all_leads if lp.deal is not None]
    deals, trimmed = [], {}
    for dp in P.deals_in_order(spec, converted):
        if dp.ops[0][1] >= cut:
            continue
        kept = P.DealPlan(dp.key, dp.lead_index, [op for op in dp.ops if op[1] < cut])
        trimmed[id(dp)] = kept
        deals.append(kept)
    leads = []
    for lp in all_leads:
        if lp.ops[0][1] >= cut:
            break  # leads are in creation order: the rest are later still
        ops = [op for op in lp.ops if op[1] < cut]
        deal = trimmed.get(id(lp.deal)) if lp.deal is not None else None
        leads.append(P.LeadPlan(lp.index, ops, deal if ops[-1][0] == "convert" else None))
    return leads, deals
