"""`/sales`: help for everything, roles, and workspace settings."""

from __future__ import annotations

from assistant.blocks import results as render_results
from assistant.blocks.common import Reply, channel, escape, mention, section, sections_from_lines
from assistant.commands.args import (
    reject_leftovers,
    take_channel,
    take_mentions,
    take_options,
    take_period,
)
from assistant.commands.framework import CommandSet, Invocation, Subcommand
from assistant.domain.amounts import format_amount, looks_like_amount, parse_amount
from assistant.domain.errors import InvalidInput
from assistant.domain.nudging import parse_budget, parse_days, parse_time
from assistant.domain.references import parse_channel_mention
from assistant.domain.roles import Role, parse_role
from assistant.services import reports, roles, settings, targets
from assistant.services.nudging import prefs, team

ROLE_USAGE = "/sales role @user <admin|manager|rep|marketer>"
SETTINGS_USAGE = (
    "/sales settings [tz:<Area/City>] [currency:<USD>] [feed:#channel|off] [moves:on|off] "
    "[nudges:on|off] [nudge_at:09:00] [nudge_days:mon-fri] [nudge_max:5]"
)
NUDGE_OPTIONS = ("nudges", "nudge_at", "nudge_days", "nudge_max")


def help_all(inv: Invocation) -> Reply:
    lines = ["*Sales Assistant*: deals, leads, the pipeline and the funnel, in Slack."]
    for command_set in inv.catalog:
        lines.append(f"*{command_set.command}*: {command_set.summary}")
        for sub in command_set.subcommands:
            lines.append(f"    • `{escape(sub.usage)}`")
    lines.append("Add `share` to any command to post the answer in the channel.")
    return Reply(text="\n".join(lines), blocks=sections_from_lines(lines))


def set_role(inv: Invocation) -> Reply:
    users, rest = take_mentions(inv.args)
    if len(users) != 1 or len(rest) != 1:
        raise InvalidInput("Name one person and one role.")
    role = parse_role(rest[0])
    previous = roles.set_role(inv.services, inv.actor, users[0], role)
    text = f"{mention(users[0])} is now *{role.value}* (was {previous.value})."
    return Reply(text=text, blocks=[section(text)])


def list_roles(inv: Invocation) -> Reply:
    if inv.args:
        raise InvalidInput("`/sales roles` takes no arguments.")
    by_role: dict[Role, list[str]] = {}
    for user_id, role in roles.list_roles(inv.services, inv.actor).items():
        by_role.setdefault(role, []).append(mention(user_id))
    lines = ["*Roles* (everyone else is a rep; Slack workspace admins and owners are admins)"]
    for role in Role:
        people = ", ".join(by_role.get(role, [])) or "—"
        lines.append(f"• *{role.value}*: {people}")
    teams = team.teams(inv.services, inv.actor)
    if teams:
        lines.append("*Teams* (nudges ignored twice go to the manager)")
        for manager, reps in teams.items():
            lines.append(f"• {mention(manager)} manages {', '.join(mention(r) for r in reps)}")
    me = roles.my_role(inv.services, inv.actor)
    lines.append(f"You are: *{me.value}*.")
    return Reply(text="\n".join(lines), blocks=sections_from_lines(lines))


def update_settings(inv: Invocation) -> Reply:
    feed_channel, rest = take_channel(inv.args)
    options, rest = take_options(rest, ("tz", "currency", "feed", "moves", *NUDGE_OPTIONS))
    if rest:
        raise InvalidInput(f"I don't know what to do with `{' '.join(rest)[:100]}`.")
    feed = feed_channel
    if "feed" in options:
        feed = parse_channel_mention(options["feed"])
        if feed is None and options["feed"].lower() not in ("off", "none"):
            raise InvalidInput("Give the feed channel as a #channel mention, or `feed:off`.")
        feed = feed or ""
    moves = None
    if "moves" in options:
        if options["moves"].lower() not in ("on", "off"):
            raise InvalidInput("`moves:` is `on` or `off`.")
        moves = options["moves"].lower() == "on"
    nudge_defaults = _nudge_defaults(options)
    settings_options = {k: v for k, v in options.items() if k not in NUDGE_OPTIONS}
    if feed is None and not settings_options:
        current = settings.get_settings(inv.services, inv.actor)
    else:
        current = settings.update_settings(
            inv.services,
            inv.actor,
            timezone=options.get("tz"),
            currency=options.get("currency"),
            feed_channel=feed,
            feed_moves=moves,
        )
    if nudge_defaults:  # after the others are checked and kept, so a typo changes nothing
        prefs.set_defaults(inv.services, inv.actor, **nudge_defaults)
    feed_text = channel(current.feed_channel) if current.feed_channel else "off"
    lines = [
        "*Workspace settings*",
        f"• Time zone: `{current.timezone}`",
        f"• Currency: `{current.currency}`",
        f"• Feed channel (won deals): {feed_text}",
        f"• Announce every stage move in the feed: {'on' if current.feed_moves else 'off'}",
        f"• Nudges (defaults; each person can change theirs): {_nudge_line(inv)}",
    ]
    return Reply(text="\n".join(lines), blocks=sections_from_lines(lines))


def _nudge_defaults(options: dict[str, str]) -> dict[str, object]:
    found: dict[str, object] = {}
    if "nudges" in options:
        if options["nudges"].lower() not in ("on", "off"):
            raise InvalidInput("`nudges:` is `on` or `off`.")
        found["enabled"] = options["nudges"].lower() == "on"
    if "nudge_at" in options:
        found["at_time"] = parse_time(options["nudge_at"])
    if "nudge_days" in options:
        found["days"] = parse_days(options["nudge_days"])
    if "nudge_max" in options:
        found["budget"] = parse_budget(options["nudge_max"])
    return found


def _nudge_line(inv: Invocation) -> str:
    defaults = prefs.workspace_defaults(inv.services, inv.actor)
    if not defaults.enabled:
        return "*off for everyone*"
    return f"on · {defaults.at_time} · {defaults.describe_days()} · up to {defaults.budget} deals"


TEAM_USAGE = "/sales team @manager @rep [@rep ...]"


def set_team(inv: Invocation) -> Reply:
    users, rest = take_mentions(inv.args)
    if rest:
        raise InvalidInput(f"Only @mentions here; I don't know `{' '.join(rest)[:60]}`.")
    if len(users) < 2:
        raise InvalidInput("Name the manager first, then their reps: `/sales team @mia @ana`.")
    manager, reps = users[0], users[1:]
    team.set_team(inv.services, inv.actor, manager, reps)
    text = f"{mention(manager)} now manages {', '.join(mention(r) for r in dict.fromkeys(reps))}."
    return Reply(text=text, blocks=[section(text)])


TARGET_USAGE = "/sales target <@user|team> <amount> <period>"


def set_target(inv: Invocation) -> Reply:
    """`/sales target team 250k this quarter`, `/sales target @ana 80k 2027-Q1`."""
    users, rest = take_mentions(inv.args)
    team = [w for w in rest if w.casefold() == "team"]
    rest = [w for w in rest if w.casefold() != "team"]
    if len(users) + len(team) != 1:
        raise InvalidInput("Name whose target it is: one @person, or `team`.")
    amounts = [w for w in rest if looks_like_amount(w)]
    if len(amounts) != 1:
        raise InvalidInput("Give the target as one amount, e.g. `250k`.")
    rest.remove(amounts[0])
    zone = reports.workspace_timezone(inv.services, inv.actor)
    now = inv.services.now()
    period, rest = take_period(rest, zone, now, default=None)
    if period is None:
        raise InvalidInput("For which period? e.g. `this quarter`, `2027-Q1` or `next month`.")
    reject_leftovers(rest)
    view = targets.set_target(
        inv.services, inv.actor, users[0] if users else None, parse_amount(amounts[0]), period
    )
    currency = settings.get_settings(inv.services, inv.actor).currency
    who = "team"
    if view.owner_id:
        who = inv.names([view.owner_id])[view.owner_id]
    text = ":dart: " + render_results.target_line(view, lambda a: format_amount(a, currency), who)
    return Reply(text=text, blocks=[section(text)])


def list_targets(inv: Invocation) -> Reply:
    reject_leftovers(inv.args)
    views = targets.list_targets(inv.services, inv.actor)
    if not views:
        text = "No targets yet. A manager sets one: `/sales target team 250k this quarter`."
        return Reply(text=text, blocks=[section(text)])
    currency = settings.get_settings(inv.services, inv.actor).currency
    names = inv.names(v.owner_id for v in views)

    def line(view) -> str:
        who = "team" if view.owner_id is None else names.get(view.owner_id, view.owner_id)
        return "• " + render_results.target_line(view, lambda a: format_amount(a, currency), who)

    lines = ["*Targets*", *(line(v) for v in views)]
    return Reply(text="\n".join(lines), blocks=sections_from_lines(lines))


COMMANDS = CommandSet(
    command="/sales",
    summary="help, roles and workspace settings.",
    subcommands=[
        Subcommand(
            "help",
            "/sales help",
            "every command at a glance.",
            "/sales help",
            help_all,
            writes=False,
        ),
        Subcommand(
            "role",
            ROLE_USAGE,
            "give someone a role (admins).",
            "/sales role @ana manager",
            set_role,
        ),
        Subcommand(
            "team",
            TEAM_USAGE,
            "who manages whom: nudges ignored twice go to the manager (admins).",
            "/sales team @mia @ana @ben",
            set_team,
        ),
        Subcommand(
            "roles", "/sales roles", "who has which role.", "/sales roles", list_roles, writes=False
        ),
        Subcommand(
            "target",
            TARGET_USAGE,
            "set a revenue target for the team or one person (managers and admins).",
            "/sales target team 250k this quarter",
            set_target,
        ),
        Subcommand(
            "targets",
            "/sales targets",
            "the targets and how each stands.",
            "/sales targets",
            list_targets,
            writes=False,
        ),
        Subcommand(
            "settings",
            SETTINGS_USAGE,
            "show or change the time zone, currency and feed channel (admins).",
            "/sales settings tz:Europe/Berlin currency:EUR feed:#wins",
            update_settings,
        ),
    ],
    default="help",
)
