"""The fixed world of tests/data/ask_corpus.yaml: its vocabulary and its "now"."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from assistant.ask.vocabulary import Vocabulary

CORPUS = Path(__file__).parent.parent / "data" / "ask_corpus.yaml"


@cache
def corpus() -> dict[str, Any]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


@cache
def vocabulary() -> Vocabulary:
    words = corpus()["vocabulary"]
    return Vocabulary.of(
        pipeline=words["pipeline"],
        funnel=words["funnel"],
        sources=words["sources"],
        campaigns=words["campaigns"],
        companies=words["companies"],
        deals=words["deals"],
        people=words["people"],
        asker=words["asker"],
    )


TZ = ZoneInfo(corpus()["timezone"])
NOW = datetime.fromisoformat(corpus()["now"]).replace(tzinfo=TZ)
