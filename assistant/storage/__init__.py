"""Persistence: SQLAlchemy models, the engine and transactions, and Alembic migrations."""
