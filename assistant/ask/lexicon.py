"""The plain words the parser knows: filler, words that signal what is asked, calendar words.

A word in none of these lists, and matching no name of the workspace, is an unknown word; in
the place of a name ("funnel for tiktok") it is reported instead of being ignored.
"""

from __future__ import annotations

from collections.abc import Iterable


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that never name anything; names are not looked for among them alone.
FILLER = _words(
    """
    a an the of in on at to for from with by about and or but is are was were be been being
    am do does did done doing have has had having what which who whom whose how why where
    when this that these those there here it its we us our ours you your they them their he
    she him her his i me my mine myself show give list tell get see find look looking looks
    can could would should will shall might must hey hi hello ok okay so now right currently
    current all any anything some every each much many more most less very really just only
    also too again still yet already going go goes happening happened status update updates
    news latest info overview summary stuff things thing guys team folks everyone quick
    lately recently ago up down out over not no yes one ones like as than then if into onto
    per via versus new open big biggest large small top best worst good bad well work
    working works number numbers figures stats data report breakdown view details detail
    card let know need want wanna stage stages same hmm oh yo sales bot assistant someone
    something whole entire far come came comes got getting side compared other others
    compare long ages forever while time between since last next past previous until till
    through day days weeks months quarter quarters year years hour hours
    """
)

# Words that say what is asked; one of these alone is a name only when it is the exact name.
CUES = _words(
    """
    pipeline pipe board funnel forecast forecasts forecasting projected projection commit
    bottleneck bottlenecks stuck stalled stale overdue sitting idle aging ageing moved
    moving slow slowest slowing piling pile holding cohort cohorts win won wins winning lose
    lost losing rate rates cycle velocity results result revenue bookings performance
    performing leaderboard conversion converting convert converted dropped leads lead deals
    deal source sources channel channels campaign campaigns target targets quota attainment
    goal goals help commands accuracy accurate track record close closed closing closes
    expected likely signups signup signed move mark note value weighted total size average
    marketing customer customers reached rep reps owner owners salesperson salespeople
    seller sellers people person account accounts company companies month week monthly
    weekly amount worth mine questions ask answer use expect
    """
)

# Typos of these are corrected before reading ("forcast", "botleneck", "funel").
KEYWORDS = sorted(
    _words(
        """
    pipeline funnel forecast forecasts bottleneck bottlenecks stuck stalled cohort cohorts
    velocity results revenue leaderboard conversion converting campaign campaigns source
    sources targets target quota attainment accuracy accurate leads deals weighted overdue
    average marketing performance commands rate help cycle
        """
    )
)

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip

NUMBERS = {
    "one": 1, "two": 2, "couple": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip


def alternatives(words: Iterable[str]) -> str:
    """A regex alternation of the words, longest first so `sept` wins over `sep`."""
    return "|".join(sorted(words, key=len, reverse=True))
