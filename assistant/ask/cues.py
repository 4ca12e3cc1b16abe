"""The words that say which report or list a question wants, as patterns over its outline.

The outline is the question with the phrases already understood replaced by marks: `~when`
(a period), `~amount`, `~by` (a breakdown), `~deal` (a deal number) and `~name` (a name of the
workspace), so "last" in "last month" is never read as "lost". `intents` tries them in order.
"""

from __future__ import annotations

import re
from functools import partial

_rx = partial(re.compile)  # every pattern reads the outline, which is already casefolded

ACCURACY = _rx(
    r"\bforecast\w*\b.*\b(accura\w*|track record|versus actual|actuals?|reliable|right|correct"
    r"|good|hit rate|miss\w*|off)\b|\b(accura\w*|track record)\b.*\bforecast|\bhow accurate"
    r"|\bhow (good|reliable|right|close)\b.*\bforecast"
)
FORECAST = _rx(
    r"\bforecast\w*|\bproject(ed|ion)\b|\bcommit\b|\b(will|going to|gonna|likely to|set to|should"
    r"|about to|expected to|due to) (we |i |they )?(close|land|sign)\b|\bclosing (soon|~when)"
    r"|\bwhat (is )?closing\b|\bwill (we|i|they) (close|land|sign)|\bexpect(ed|ing)?\b.*\bclose\b"
)
TARGETS = _rx(
    r"\btargets?\b|\bquotas?\b|\battainment\b|\bhit (my|our|the|their) (number|target|goal)s?"
    r"|\bgoals?\b|\bon track\b"
)
BOTTLENECK = _rx(
    r"\bbottlenecks?\b|\bslow(est|ing|er)?\b.*\bstages?\b|\bstages?\b.*\b(slow\w*|longest)"
    r"|\bslowing (us|things|deals|the \w+) down|\bpil(e|es|ing) up|\bholding (up|us|things|deals)"
    r"|\bhold ?ups?\b|\blose time\b|\bwhere\b.*\b(stuck|stall\w*|slow\w*|held up|pile)"
)
STUCK = _rx(
    r"\bstuck\b|\bstall(ed|ing|s)?\b|\bstale\b|\boverdue\b|\bsitting\b|\bidle\b|\bage?ing\b"
    r"|\bnot (been )?mov(ed|ing)\b|\btoo long\b|\brotting\b|\bneglected\b"
)
COHORTS = _rx(r"\bcohorts?\b|\bhow\b.*\bleads?\b.*\bconvert(ed)?\b")
METRICS = _rx(
    r"\bwin ?(rates?|ratio|%)|\bclose ?rates?\b|\bwon (value|revenue|amount)|\bsales cycle|\bcycle"
    r"|\bvelocity\b|\brevenue\b|\bbookings\b|\bleaderboard\b|\btop (reps|sellers|performers)\b"
    r"|\bwho (closed|won|sold|brought in|has) the (most|best)|\bhow long\b.*\bclose\b"
    r"|\bdeal size\b|\bhow (much|many)( \S+)? (did|have) \S+ (win|won|close|closed|sell|sold|make"
    r"|made)\b"
    r"|\bwhich (rep|salesperson|seller)\b"
)
# Results per person: "how are the reps doing", "leaderboard", "who closed the most".
PER_PERSON = _rx(
    r"\b(reps|rep|salespeople|salesperson|sellers|seller|who|leaderboard|performers)\b"
)
LEAD_WORDS = _rx(r"\bleads?\b|\bsign(ed)? ?ups?\b|\bsigned up\b")
FUNNEL = _rx(
    r"\bfunnel\b|\bconver(sion|sions|ting|t)\b|\bmqls?\b|\blead to (customer|deal)|\breached\b"
)
COMPARE = _rx(
    r"\b(compare\w*|comparison|side by side|best|worst|top|which|perform\w*|doing|rank\w*"
    r"|versus|convert best|works? best)\b|\bcome from\b"
)
LEADS_FROM = _rx(r"\bwhere (do|does|are) .*\bleads?\b.*\bcom(e|es|ing) from\b")
SOURCE_WORDS = _rx(r"\b(sources?|channels?)\b")
CAMPAIGN_WORDS = _rx(r"\bcampaigns?\b")
HOW_DID_WE_DO = _rx(
    r"\bresults?\b|\bhow (did|have|are|do|is) (we|i|you|the team|the reps|reps|the \w+) (do|doing"
    r"|done|perform\w*|going)\b|\bperform(ance|ing)\b|\breps doing\b"
)
HELP = _rx(
    r"\bhelp\b|\bcommands?\b|\bwhat can (you|i)\b|\bwhat (questions|things|else) can\b"
    r"|\bhow do i use\b|\bhow does (this|it) work|\busage\b|^(hi|hello|hey|yo|hiya|howdy)$"
    r"|\bwhat (can|does) (this|the) (bot|thing|app)\b"
)
LIST_WORDS = _rx(r"\bdeals\b|\bworking on\b|\bmy (pipeline|pipe)\b")
MINE = _rx(r"\b(my|mine)\b")
BOARD = _rx(
    r"\bpipeline\b|\bpipe\b|\bboard\b|\bopen value\b|\bweighted\b|\boverview\b|\bsummary\b"
    r"|\btotal\b"
)
# Verbs the commands don't offer from a question; answering with a list would be wrong.
UNSUPPORTED = _rx(
    r"^(delete|remove|erase|create|send|email|export|import|assign|reassign|edit|rename|cancel"
    r"|archive|merge|invite|schedule|subscribe|unsubscribe|order|book|call|reopen)\b"
)
