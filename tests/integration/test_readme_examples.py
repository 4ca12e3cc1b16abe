"""The README's examples are the bot's real output: regenerated here and compared, so a change
to a reply that the README shows fails until `python docs/readme_examples.py` is run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "docs/readme_examples.py")
examples = importlib.util.module_from_spec(spec)
spec.loader.exec_module(examples)


def test_the_readme_shows_what_the_bot_prints(database_url, tmp_path):
    if examples.SAMPLES is None:
        pytest.skip("the public sample data (shared/data) is not on this machine")
    readme = examples.README.read_text(encoding="utf-8")
    assert examples.EXAMPLE.search(readme), "the README has no generated examples"
    assert examples.render(readme, tmp_path, database_url) == readme, (
        "README examples are out of date: run `python docs/readme_examples.py`"
    )
