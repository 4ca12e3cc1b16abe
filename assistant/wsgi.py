"""WSGI entry point for production (README, "Running at scale"):
`gunicorn -w 4 --worker-class gthread --threads 4 --keep-alive 30 -b 0.0.0.0:3000
assistant.wsgi:application`.

Each gunicorn worker builds its own app and database pool from the environment; run the
digest scheduler as its own process (`python bot.py scheduler`) so workers never post.
"""

from __future__ import annotations

import logging

from assistant.config import load_settings
from assistant.server import build_wsgi

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
application, _runtime = build_wsgi(load_settings())
