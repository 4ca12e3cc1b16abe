"""What the tests and the benchmarks share: the fake Slack Web API (in-process, or in a process
of its own), signed Slack requests, the plain-words world, a database dump, and the generated
workspace (its plan and its writer). Never imports `tests` or `bench` (lint-imports checks)."""
