"""Roles and what each may do (PRODUCT.md §6). Pure rules; the services enforce them."""

from __future__ import annotations

from enum import StrEnum

from assistant.domain.errors import InvalidInput, NotAllowed


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    REP = "rep"
    MARKETER = "marketer"


DEFAULT_ROLE = Role.REP


def require_admin(role: Role, action: str) -> None:
    if role is not Role.ADMIN:
        raise NotAllowed(action, "admins")


def require_manager(role: Role, action: str) -> None:
    if role not in (Role.ADMIN, Role.MANAGER):
        raise NotAllowed(action, "managers and admins")


def require_deal_creator(role: Role) -> None:
    """Reps, managers and admins create deals; marketers work on leads."""
    if role is Role.MARKETER:
        raise NotAllowed("create deals", "reps, managers and admins")


def require_deal_change(role: Role, user_id: str, owner_id: str, action: str) -> None:
    """Managers and admins change any deal; reps only their own; marketers none."""
    if role in (Role.ADMIN, Role.MANAGER):
        return
    if role is Role.REP and user_id == owner_id:
        return
    raise NotAllowed(action, "the deal's owner, managers and admins")


def require_lead_change(role: Role, user_id: str, owner_id: str | None, action: str) -> None:
    """Leads are marketing's as much as sales': marketers change any lead, reps their own."""
    if role in (Role.ADMIN, Role.MANAGER, Role.MARKETER):
        return
    if user_id == owner_id:
        return
    raise NotAllowed(action, "the lead's owner, marketers, managers and admins")


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        choices = ", ".join(f"`{r.value}`" for r in Role)
        raise InvalidInput(f"Unknown role `{text}`. Roles: {choices}.") from None
