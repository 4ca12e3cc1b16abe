"""Who and what the demo workspace is made of: people, companies, sources, and the odds.

The odds are tuned so that six months of simulated work end in a pipeline with open deals in
every stage and one clear bottleneck (`solution`: its deals stall while the customer's
architects dither), and a funnel whose every stage is reached.
"""

from __future__ import annotations

TEAM_ID = "T0DEMO"
DEMO_USER = "U0DEMOYOU"
MANAGER = "U0DEMOMIA"
MARKETER = "U0DEMOMARCO"
REPS = ("U0DEMOANA", "U0DEMOBEN", "U0DEMOCHLOE", "U0DEMODIEGO", "U0DEMOEMMA")
PEOPLE = {
    DEMO_USER: "you",
    "U0DEMOANA": "ana",
    "U0DEMOBEN": "ben",
    "U0DEMOCHLOE": "chloe",
    "U0DEMODIEGO": "diego",
    "U0DEMOEMMA": "emma",
    MANAGER: "mia",
    MARKETER: "marco",
}
# How fast each rep moves deals along (a factor on every stay): people differ.
REP_PACE = {"U0DEMOANA": 0.85, "U0DEMOCHLOE": 0.95, "U0DEMODIEGO": 1.15}
CHANNELS = {"C0DEMOSALES": "sales", "C0DEMOWINS": "wins", "C0DEMOMKTG": "marketing"}
DEMO_CHANNEL = "C0DEMOSALES"

PREFIXES = (
    "North", "Blue", "Bright", "Iron", "Silver", "Green", "Red", "Summit", "Harbor", "Pine",
    "Maple", "Copper", "Cedar", "Atlas", "Nova", "Orbit", "Vertex", "Quartz", "Falcon", "Lumen",
)  # fmt: skip
SUFFIXES = (
    "wind Logistics", "peak Analytics", "field Foods", "gate Health", "line Freight",
    "works Manufacturing", "light Energy", "bridge Capital", "wave Media", "stone Retail",
    "point Software", "ridge Insurance", "haven Hotels", "core Robotics", "leaf Pharma",
)  # fmt: skip
PRODUCTS = (
    "platform licence", "renewal", "expansion", "pilot", "team plan", "enterprise plan",
    "analytics add-on", "onboarding package", "multi-year deal", "API access",
)  # fmt: skip
FIRST_NAMES = (
    "Olivia", "Liam", "Sofia", "Noah", "Amara", "Lucas", "Mei", "Mateo", "Priya", "Jonas",
    "Fatima", "Ethan", "Yuki", "Omar", "Elena", "Kofi", "Hannah", "Ravi", "Zoe", "Tomás",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Müller", "Okafor", "Nguyen", "Rossi", "Kowalski", "Haddad", "Larsen",
    "Tanaka", "Silva", "Dubois", "Patel", "Johansson", "O'Brien", "Kim", "Novak", "Mensah",
)  # fmt: skip

# source: (weight, {campaign: weight}; None means no campaign)
SOURCES: dict[str, tuple[float, dict[str | None, float]]] = {
    "webinar": (0.22, {"Pipeline Masterclass": 0.6, "Forecasting 101": 0.4}),
    "ads": (0.25, {"LinkedIn ABM": 0.5, "Search: brand": 0.3, None: 0.2}),
    "referral": (0.08, {None: 1.0}),
    "outbound": (0.15, {"Q-end outbound push": 0.5, None: 0.5}),
    "website": (0.20, {None: 0.7, "Pricing page chat": 0.3}),
    "events": (0.10, {"SaaS Summit": 0.7, "Retail Expo": 0.3}),
}
# Chance that a lead of each source shows interest; referrals are warm, ads are cold.
INTEREST = {
    "webinar": 0.55, "ads": 0.3, "referral": 0.85, "outbound": 0.35, "website": 0.5,
    "events": 0.6,
}  # fmt: skip
LEAD_DROP_REASONS = (
    "no response", "not a fit", "student", "competitor", "unsubscribed", "no budget",
)  # fmt: skip
LOST_REASONS = (
    "price", "went with a competitor", "no budget this year", "timing", "no decision",
    "champion left", "missing integration",
)  # fmt: skip

# Per pipeline stage: stay in days (median, spread), then the odds of what happens next:
# (forward, back); the rest is lost. Leaving `closing` forward means won.
STAY = {
    "prospecting": (4.0, 0.6),
    "qualification": (5.0, 0.6),
    "assessment": (8.0, 0.6),
    "solution": (16.0, 0.5),
    "proposal": (7.0, 0.5),
    "closing": (5.0, 0.5),
}
NEXT_ODDS = {
    "prospecting": (0.82, 0.0),
    "qualification": (0.8, 0.04),
    "assessment": (0.8, 0.06),
    "solution": (0.68, 0.12),
    "proposal": (0.75, 0.08),
    "closing": (0.8, 0.0),
}
# Deals that reach solution development stall there this often, for two to four times as long.
STALL = {"solution": 0.25}
REOPEN_ODDS = 0.12

NOTES = {
    "prospecting": ("Intro call booked", "Found them through a mutual customer"),
    "qualification": ("Budget confirmed for this year", "Two decision makers identified"),
    "assessment": ("Demo went well; they want a technical deep dive", "Sent the security pack"),
    "solution": (
        "Waiting on their architects to review the integration plan",
        "Solution design workshop moved again",
        "Their IT wants an on-prem option; checking with product",
    ),
    "proposal": ("Proposal sent", "They asked for a 15% discount"),
    "closing": ("Contract with legal", "Verbal yes, waiting for the signature"),
}
