"""Forecasts learned from a team's own history, pure numpy (no database, no Slack).

- `timeline`: a workspace's deal history (stage, status, amount, close date rows) as arrays,
  and the state it describes at any cut time, using only the rows before it;
- `learned`: per stage, the share won of the deals that reached it and have since closed,
  blended with the configured probability by a Beta prior;
- `survival`: Kaplan-Meier time from entering a stage to closing, open deals right-censored;
- `simulate`: the seeded Monte Carlo of a period's won value (P10/P50/P90, expected count,
  the deals that matter most, the chance to reach a target);
- `model`: the three put together at a cut time (what `/pipeline forecast` and the backtest
  both call).
"""
