"""How long each kind of text may be: the width of its column, and what lists show.

One place, because the same limit is checked where it is typed (commands, the form, imports)
and enforced where it is stored (storage/models.py): a name accepted by one and refused by
the other would fail in PostgreSQL with a raw error.
"""

from __future__ import annotations

MAX_NAME = 200  # deal and lead names, companies
MAX_LABEL = 100  # sources, campaigns, external record ids
MAX_REASON = 500  # lost and drop reasons
MAX_NOTE = 3000  # a note's text
MAX_EMAIL = 254  # RFC 5321's longest path
MAX_STAGE_KEY = 40
MAX_STAGE_LABEL = 80
MAX_USER_ID = 32  # Slack user ids, or the names imported owners keep until mapped
MAX_HISTORY_DETAIL = 200  # a note's text as its history row shows it

LIST_LIMIT = 500  # rows a list reads at most; the rest is counted

# Requests and logs: what a stranger can send decides neither our memory nor our log size.
MAX_REQUEST_BODY = 1_000_000  # bytes of one request; Slack's own payloads stay far below
MAX_PAYLOAD_DEPTH = 64  # nesting of a payload's JSON; Slack's go about a dozen deep
MAX_LOGGED = 300  # characters of anything a user sent that one log line shows

MAX_NUDGE_BUDGET = 20  # deals one nudge DM lists at most; the rest behind "and N more"
MAX_SNOOZE_DAYS = 90  # a snooze longer than a quarter is a deal to close, not to hide
