"""From the text Slack delivers to the words the parser reads.

Two views of one question: `raw` is the text as delivered (its case, Slack's markup and
escaping), minus a leading mention of the bot; notes and lost reasons are copied from it word
for word. `words` is what the parser reads: markup gone, casefolded, shorthand expanded, split
into tokens, with each user mention as one `@@U…` token.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from assistant.domain.text import one_line

# A note can be 3,000 characters; anything longer is a paste, and only costs time to read.
MAX_CHARS = 4000
# Questions are a sentence: past this many characters and words nothing changes what is
# asked, and reading a pasted page word by word would cost more than the 5 ms a question gets.
MAX_READ = 400
MAX_WORDS = 32
MAX_WORD = 40
MENTION_PREFIX = "@@"
BOUNDARY = "|"  # where punctuation separated words: names and phrases do not cross it

_MENTION_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# Channels, `<!here>`, links and mailto links say nothing about what is asked.
_OTHER_MARKUP_RE = re.compile(r"<(?:[#!]|https?:|mailto:)[^>]*>", re.IGNORECASE)
_EMOJI_CODE_RE = re.compile(r":[a-z0-9_+'-]+:", re.IGNORECASE)
_LEADING_AT_RE = re.compile(r"\s*@([\w.-]+)[\s,:]*")
_QUOTES = str.maketrans("‘’‚‛“”„«»`´", "''''\"\"\"\"\"''")

# What people type in a hurry, as the words the rest of the parser knows.
_SHORTHAND = {
    "hw": "how",
    "u": "you",
    "r": "are",
    "ur": "your",
    "wat": "what",
    "whats": "what",
    "wheres": "where",
    "hows": "how",
    "whos": "who",
    "abt": "about",
    "pls": "",
    "plz": "",
    "please": "",
    "thx": "",
    "thanks": "",
    "qtr": "quarter",
    "qtrs": "quarters",
    "wk": "week",
    "wks": "weeks",
    "mth": "month",
    "mnth": "month",
    "yr": "year",
    "opps": "deals",
    "opp": "deal",
    "opportunities": "deals",
    "opportunity": "deal",
    "rev": "revenue",
    "vs": "versus",
}
_TOKEN_RE = re.compile(
    r"""
    @@[a-z0-9]+                                          # a mention
    | \#[0-9]+                                           # a deal number
    | [0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}
      (?:(?:\.\.|…)[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2})? # a date or a range of dates
    | [0-9]{4}[-/](?:q[0-9]|[0-9]{1,2})                    # 2026-q3, 2026-10
    | [$€£]?[0-9][0-9,]*(?:\.[0-9]+)?[a-z]*\+?           # 50k, $10,000, 1.5m, 30d, 1st, 100k+
    | \.\.|…|->|→|>=?|<=?                                # range dots, arrows, comparisons
    | [^\W\d_](?:\w|[.-](?=\w))*                          # words, `dan.kim`, `follow-up`
    | [,;:!?()]|\s-\s|\.(?=\s|$)                          # punctuation that separates phrases
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Question:
    raw: str
    words: tuple[str, ...]

    def mentioned(self) -> list[str]:
        return [w[len(MENTION_PREFIX) :].upper() for w in self.words if _is_mention(w)]


def _is_mention(word: str) -> bool:
    return word.startswith(MENTION_PREFIX)


def _drop_leading_bot(text: str, people: Collection[str], names: Collection[str]) -> str:
    """`<@UBOT> what's stuck?` and `@Sales what's stuck?`: the bot is addressed, not asked
    about. A leading mention of someone the workspace knows stays: `@ana's deals`."""
    text = text.lstrip()
    if match := _MENTION_RE.match(text):
        return text[match.end() :].lstrip(" ,:") if match[1] not in people else text
    if (match := _LEADING_AT_RE.match(text)) and match[1].casefold() not in names:
        return text[match.end() :]
    return text


def clean(text: str, people: Collection[str] = (), names: Collection[str] = ()) -> Question:
    """`people` are the Slack ids of known people, `names` their names (casefolded)."""
    raw = _drop_leading_bot(one_line(str(text or "")[:MAX_CHARS]), people, names)
    readable = html.unescape(_OTHER_MARKUP_RE.sub(" ", raw[: MAX_READ * 2])).translate(_QUOTES)
    return Question(raw, tuple(_words(_EMOJI_CODE_RE.sub(" ", readable)[:MAX_READ])))


def fold(text: str) -> str:
    """Casefolded, accents and compatibility forms gone: "Café" and "cafe", "ﬁnal" and
    "final", "İstanbul" and "istanbul" read alike, in questions and in names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    text = fold(_MENTION_RE.sub(lambda m: f" {MENTION_PREFIX}{m[1]} ", text))
    text = re.sub(r"'([0-9]{2})\b", r"20\1", text)  # Q3 '26
    text = re.sub(r"\bw/(?=\s|\w)", "with ", text)
    text = re.sub(r"n't\b", " not", text)
    # Possessives and contractions carry nothing the parser needs: ana's -> ana, what's -> what.
    text = re.sub(r"'(?:s|re|ve|ll|d|m)\b", "", text).replace("'", "")
    text = text.replace("&", " and ").replace("→", "->")
    words: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        token = match[0].strip()[:MAX_WORD]
        if token in ",;:!?()-.":
            if words and words[-1] != BOUNDARY:
                words.append(BOUNDARY)
        elif token[0].isalpha():
            # `follow-up`, `lead-gen`, `year-to-date`: the parts are the words.
            expanded = _SHORTHAND.get(token, token)
            words.extend(" ".join(_SHORTHAND.get(p, p) for p in expanded.split("-")).split())
        else:
            words.append(token)
        if len(words) >= MAX_WORDS:
            break
    return words[:MAX_WORDS]
