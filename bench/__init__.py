"""Benchmarks of the bot: slash commands over HTTP, digests, CSV import; `python -m bench`.

See bench/RESULTS.md for the figures of the last full run and what they mean.
"""
