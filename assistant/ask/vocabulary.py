"""What the parser knows of a workspace: its stages, sources, campaigns, companies, deals and
people, built by the caller from the workspace's own data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stage:
    key: str
    label: str


@dataclass(frozen=True)
class DealName:
    number: int
    name: str
    status: str = "open"  # open, won or lost


@dataclass(frozen=True)
class Person:
    """A Slack user and the names people call them by; the first name is shown as `@name`."""

    user_id: str
    names: tuple[str, ...]

    @property
    def handle(self) -> str:
        return self.names[0] if self.names else self.user_id


@dataclass(frozen=True)
class Vocabulary:
    """The workspace's own words, built by the caller from its data; hashable, so the
    matcher built from it can be cached."""

    pipeline: tuple[Stage, ...] = ()
    funnel: tuple[Stage, ...] = ()
    sources: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    deals: tuple[DealName, ...] = ()
    people: tuple[Person, ...] = ()
    asker: str = ""  # the Slack user id of whoever asks: "my deals" are theirs
    bot_user_id: str = ""  # a leading mention of the bot itself is not a person
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Hashed once: the parser keeps its matcher per vocabulary, and hashing a workspace's
        # thousands of deals again on every question would cost more than the question.
        names = (self.pipeline, self.funnel, self.sources, self.campaigns, self.companies)
        everything = (*names, self.deals, self.people, self.asker, self.bot_user_id)
        object.__setattr__(self, "_hash", hash(everything))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def of(
        cls,
        *,
        pipeline: Iterable[tuple[str, str]] = (),
        funnel: Iterable[tuple[str, str]] = (),
        sources: Iterable[str] = (),
        campaigns: Iterable[str] = (),
        companies: Iterable[str] = (),
        deals: Iterable[tuple[int, str, str]] = (),
        people: Iterable[tuple[str, Iterable[str]]] = (),
        asker: str = "",
        bot_user_id: str = "",
    ) -> Vocabulary:
        """Build one from plain lists: `pipeline=[("proposal", "Proposal")]`,
        `deals=[(12, "Acme renewal", "open")]`, `people=[("U0ANA", ["ana", "Ana Lopez"])]`."""
        return cls(
            pipeline=tuple(Stage(key, label) for key, label in pipeline),
            funnel=tuple(Stage(key, label) for key, label in funnel),
            sources=tuple(sources),
            campaigns=tuple(campaigns),
            companies=tuple(companies),
            deals=tuple(DealName(int(n), name, status) for n, name, status in deals),
            people=tuple(Person(user, tuple(names)) for user, names in people),
            asker=asker,
            bot_user_id=bot_user_id,
        )
