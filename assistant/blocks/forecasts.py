"""Forecast reports as plain text: the backtest (a terminal's) and the track record."""

from __future__ import annotations

from assistant.domain.amounts import format_amount
from assistant.services.forecasts import Backtest


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _brier(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def backtest_text(report: Backtest) -> str:
    if report.note:
        return report.note
    money = lambda v: format_amount(v, report.currency)  # noqa: E731
    head = (f"{'Cut':<10}  {'P10':>12}  {'P50':>12}  {'P90':>12}  {'Actual':>12}  In  "
            f"{'Error':>6}  {'Won exp.':>8}  {'actual':>6}  {'Brier learned':>13}  "
            f"{'configured':>10}  Deals")  # fmt: skip
    lines = [
        f"Backtest of {report.team_id}: at the start of each {report.every}, that {report.every}'s "
        "won value forecast from the history known then, against what was won.",
        head,
    ]
    for cut in report.cuts:
        s = cut.score
        error = "—" if s.error is None else f"{s.error:+.0%}"
        lines.append(
            f"{cut.start.date().isoformat():<10}  {money(s.p10):>12}  {money(s.p50):>12}  "
            f"{money(s.p90):>12}  {money(s.actual):>12}  {'yes' if s.inside else 'no ':<3} "
            f"{error:>6}  {s.expected_count:>8.1f}  {s.won_count:>6,}  "
            f"{_brier(s.brier_learned):>13}  {_brier(s.brier_configured):>10}  "
            f"{s.scored_deals:,}"
        )
    t = report.totals
    lines += [
        f"Cuts: {t.cuts}. Coverage (actual inside P10–P90): {_share(t.coverage)}; about 80% is "
        "calibrated.",
        f"Mean absolute error of P50: {_share(t.mape)}. Deals won: {t.expected_count:,.0f} "
        f"expected, {t.won_count:,} actual.",
        f"Brier score of the win chances of {t.scored_deals:,} deals open at a cut and closed "
        f"since: learned {_brier(t.brier_learned)}, configured {_brier(t.brier_configured)} "
        "(lower is better).",
    ]
    return "\n".join(lines)
