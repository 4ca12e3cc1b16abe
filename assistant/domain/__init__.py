"""Pure Python rules of the product: stages, periods, amounts, references, errors.

Nothing in this package imports Slack or SQLAlchemy.
"""
