"""Forecast reports as plain text: the backtest (a terminal's) and the track record."""

from __future__ import annotations

from assistant.blocks.common import Reply, context, section
from assistant.domain.amounts import format_amount
from assistant.services.forecasts import Backtest, KeptForecast, Record


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


def record_reply(record: Record) -> Reply:
    """`/pipeline forecast accuracy`: the kept forecasts and how the scored ones did."""
    headline = "*Forecast accuracy*: past forecasts against what was won"
    if not record.forecasts:
        text = (
            f"{headline}\nNo forecast has been kept yet. The scheduler keeps this month's and "
            "this quarter's forecast at their start and every week, and scores each when its "
            "period ends."
        )
        return Reply(text=text, blocks=[section(text)])
    money = lambda v: format_amount(v, record.currency)  # noqa: E731
    lines = [headline]
    if record.scored:
        lines.append(
            f"• {record.scored} scored: actual inside P10–P90 in *{_share(record.coverage)}* "
            f"(about 80% is calibrated); P50 off by {_share(record.mape)} on average; Brier "
            f"score of the win chances {_brier(record.brier_learned)} learned vs "
            f"{_brier(record.brier_configured)} configured (lower is better)."
        )
    lines += [kept_line(k, money, record) for k in record.forecasts]
    note = "Kept at each month's and quarter's start and weekly; scored when the period ends."
    return Reply(text="\n".join([*lines, note]), blocks=[section("\n".join(lines)), context(note)])


def kept_line(kept: KeptForecast, money, record: Record) -> str:
    made = kept.made_at.astimezone(record.zone).date().isoformat()
    span = f"{money(kept.p10)} to {money(kept.p90)}"
    said = f"{kept.label} (made {made}): *{money(kept.p50)}* likely, {span}"
    if kept.actual is None:
        return f"• {said}; not over yet"
    where = "inside the range" if kept.inside else "outside the range"
    off = "" if kept.error is None else f", P50 off by {kept.error:+.0%}"
    return f"• {said}; won *{money(kept.actual)}*, {where}{off}"


def with_kept(reply: Reply, record: Record) -> Reply:
    """A past period's reply, with the forecasts kept for it (or that none was)."""
    money = lambda v: format_amount(v, record.currency)  # noqa: E731
    if record.forecasts:
        lines = [
            "*What was forecast for it*",
            *(kept_line(k, money, record) for k in record.forecasts),
        ]
    else:
        lines = ["No forecast was kept for that period."]
    text = "\n".join(lines)
    return Reply(
        text=f"{reply.text}\n{text}",
        blocks=[*reply.blocks, section(text)],
        response_type=reply.response_type,
    )
