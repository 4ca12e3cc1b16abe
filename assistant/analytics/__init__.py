"""The figures of PRODUCT.md §4, each defined once, computed with SQL aggregates.

Every function takes a session and a workspace id (plus `now` or a `Period`) and returns a
frozen dataclass; commands, digests, charts and exports all read these.
"""

from assistant.analytics.bottlenecks import BottleneckReport, BottleneckStage, bottleneck_report
from assistant.analytics.comparison import Delta
from assistant.analytics.conversion import ConversionReport, StageConversion, stage_conversion
from assistant.analytics.forecast import Forecast, forecast
from assistant.analytics.funnel import Funnel, FunnelStep, funnel
from assistant.analytics.funnel_groups import (
    FunnelGroups,
    best_and_worst,
    funnel_groups,
    funnel_with_groups,
)
from assistant.analytics.movement import Movement, movement
from assistant.analytics.outcomes import Outcomes, outcomes
from assistant.analytics.pipeline import (
    Board,
    BoardRow,
    BoardTotals,
    OpenPipeline,
    board,
    open_pipeline,
)
from assistant.analytics.results import Results, Segment, VelocityChange, results
from assistant.analytics.stuck import StuckDeal, top_stuck_deals

__all__ = [
    "Board",
    "BoardRow",
    "BoardTotals",
    "BottleneckReport",
    "BottleneckStage",
    "ConversionReport",
    "Delta",
    "Forecast",
    "Funnel",
    "FunnelGroups",
    "FunnelStep",
    "Movement",
    "OpenPipeline",
    "Outcomes",
    "Results",
    "Segment",
    "VelocityChange",
    "StageConversion",
    "StuckDeal",
    "best_and_worst",
    "board",
    "bottleneck_report",
    "forecast",
    "funnel",
    "funnel_groups",
    "funnel_with_groups",
    "movement",
    "open_pipeline",
    "outcomes",
    "results",
    "stage_conversion",
    "top_stuck_deals",
]
