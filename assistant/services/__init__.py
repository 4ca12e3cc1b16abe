"""Use cases: each public function is one transaction, takes plain values, returns views.

Nothing here imports Slack. Errors the user can fix are raised as `DomainError`s and turned
into replies at the edge.
"""
