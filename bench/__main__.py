"""`python -m bench [--full] [--only commands|digests|import] [--db sqlite|postgresql|both]`."""

from bench.run import main

raise SystemExit(main())
