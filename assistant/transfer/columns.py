"""Which column of a CSV file holds which field, for each vendor's export and our own.

The names are based on the vendors' export formats: HubSpot's deal and contact property
labels (its exports use the labels as headers, including `Date entered "<stage> (<pipeline>)"`
and `Became a <lifecycle stage> Date`), Salesforce's report column names and its Data Loader
API names, and Pipedrive's `<Entity> - <Field>` export headers. Headers are compared
case-insensitively with spaces collapsed; `--map "their column=our field"` adds any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEALS = "deals"
LEADS = "leads"

# field -> header names, most specific first: when a file has two, the earlier one wins.
DEAL_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external_id", "Record ID", "Deal ID", "Opportunity ID", "Deal - ID", "Id", "ID",
        "Seller ID",
    ),
    "name": (
        "name", "Deal Name", "Opportunity Name", "Deal - Title", "Title", "dealname", "Deal",
        "Opportunity", "Deal Title",
    ),
    "company": (
        "company", "Account Name", "Deal - Organization", "Associated Company",
        "Associated Company (Primary)", "Company Name", "Organization", "Account", "Customer",
        "Client",
    ),
    # Only for naming deals in files that have no name column ("Acme — GTX Pro").
    "product": ("product", "Product", "Product Name", "Deal - Product"),
    "amount": (
        "amount", "Amount", "Deal - Value", "Value", "Close Value", "Deal Value", "Deal Amount",
        "Revenue",
    ),
    "currency": (
        "currency", "Currency", "Deal - Currency", "Deal - Currency of Value",
        "Opportunity Currency", "Amount Currency", "CurrencyIsoCode",
    ),
    "owner": (
        "owner", "Deal owner", "Opportunity Owner", "Deal - Owner", "Owner", "Owner Name",
        "OwnerId", "hubspot_owner_id", "Sales Agent", "Sales Rep", "Salesperson", "Rep",
        "Agent", "Assigned To", "Owner Email", "SR ID",
    ),
    "stage": (
        "stage", "Deal Stage", "Stage", "Deal - Stage", "StageName", "dealstage",
        "Pipeline Stage", "Opportunity Stage",
    ),
    "status": ("status", "Deal - Status", "Status"),
    "is_won": ("Won", "IsWon"),
    "is_closed": ("Closed", "IsClosed"),
    "created_at": (
        "created_at", "Create Date", "Created Date", "Deal - Deal created", "Deal created",
        "CreatedDate", "createdate", "HubSpot Create Date", "Engage Date", "Created",
        "Created On", "Date Created", "Open Date", "Opened",
    ),
    "close_date": (
        "close_date", "Close Date", "Deal - Expected close date", "Expected close date",
        "CloseDate", "closedate", "Expected Close",
    ),
    "closed_at": (
        "closed_at", "Deal - Deal closed on", "Deal closed on", "Closed Date", "Date Closed",
        "Closed On",
    ),
    # A date in one of these says the deal was won (lost) then: the outcome and its time.
    "won_at": (
        "won_at", "Deal - Won time", "Won time", "Won Date", "Closed Won Date", "Date Won",
        "Won On",
    ),
    "lost_at": (
        "lost_at", "Deal - Lost time", "Lost time", "Lost Date", "Closed Lost Date",
        "Date Lost", "Lost On",
    ),
    "stage_changed_at": (
        "stage_entered_at", "Deal - Last stage change", "Last stage change",
        "Last Stage Change Date",
    ),
    "lost_reason": (
        "lost_reason", "Closed Lost Reason", "Deal - Lost reason", "Lost reason", "Loss Reason",
    ),
    "source": (
        "source", "Lead Source", "LeadSource", "Deal - Source channel", "Source",
        "Original Source Type", "Original Source",
    ),
    "campaign": ("campaign", "Primary Campaign Source", "Campaign", "Campaign Name"),
    # The lead a deal came from: its e-mail, L<number>, or the lead's record id.
    "lead": ("lead", "Lead ID", "MQL ID", "Lead Email", "Contact ID"),
    "stage_history": ("stage_history",),
}  # fmt: skip

LEAD_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external_id", "Record ID", "Contact ID", "Lead ID", "Person - ID", "Id", "ID",
        "MQL ID",
    ),
    "name": ("name", "Full Name", "Person - Name", "Name"),
    "first_name": ("First Name", "FirstName", "firstname", "Person - First name"),
    "last_name": ("Last Name", "LastName", "lastname", "Person - Last name"),
    "company": (
        "company", "Company Name", "Company / Account", "Company", "Associated Company",
        "Person - Organization", "Organization",
    ),
    "email": (
        "email", "Email", "Email Address", "Person - Email", "Person - Email - Work",
    ),
    "source": (
        "source", "Original Source", "Original Source Type", "Lead Source", "LeadSource",
        "Source", "Person - Source", "Origin", "Channel", "UTM Source",
    ),
    "campaign": (
        "campaign", "First Touch Converting Campaign", "Campaign", "UTM Campaign",
        "Campaign Name", "Landing Page ID", "Landing Page",
    ),
    "stage": ("stage", "Lifecycle Stage", "lifecyclestage", "Funnel Stage"),
    "furthest_stage": ("furthest_stage",),
    "status": ("status", "Lead Status", "Status", "hs_lead_status"),
    "owner": (
        "owner", "Contact owner", "Lead Owner", "Person - Owner", "Owner", "OwnerId",
        "hubspot_owner_id",
    ),
    "created_at": (
        "created_at", "Create Date", "Created Date", "CreatedDate", "createdate",
        "Person - Person created", "First Contact Date", "Created", "Created On",
        "Date Created",
    ),
    "action_at": ("action_at",),
    "drop_reason": ("drop_reason",),
    "stage_history": ("stage_history",),
}  # fmt: skip

ALIASES = {DEALS: DEAL_ALIASES, LEADS: LEAD_ALIASES}
# Columns of our own export that are there for people reading it, not for importing.
INFORMATIONAL = {"number", "stage label", "probability", "days in stage", "lead number"}
IGNORE = "ignore"

# HubSpot: `Date entered "Closed Won (Sales Pipeline)"`, older exports without the quotes,
# and the internal names `hs_date_entered_closedwon` / `hs_v2_date_entered_closedwon`.
_DATE_ENTERED = re.compile(
    r'^(?:hs_(?:v2_)?)?date[ _]entered[ _]"?(?P<stage>.+?)(?: \((?P<pipeline>[^()]*)\))?"?$',
    re.IGNORECASE,
)
# HubSpot contacts: `Became a Marketing Qualified Lead Date`, `hs_lifecyclestage_lead_date`.
_BECAME = re.compile(
    r"^(?:became an? (?P<label>.+) date|hs_lifecyclestage_(?P<name>.+)_date)$", re.IGNORECASE
)
ENTERED_PREFIX = "entered:"


def norm_header(header: str) -> str:
    """Case, quotes, underscores and runs of spaces don't matter: `deal_stage`, `Deal Stage`
    and ` "DEAL  STAGE" ` are one header."""
    return " ".join(header.strip().strip('"').replace("_", " ").split()).casefold()


@dataclass(eq=False)  # identity: one per file, cached on
class ColumnMap:
    """The columns of one file: field -> column index, plus the dated stage columns."""

    kind: str
    vendor: str
    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)
    # (column index, the vendor's stage name) for each "date entered"/"became" column.
    stage_dates: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.fields

    def describe(self, headers: Sequence[str]) -> list[str]:
        used = [f"{headers[i]!r} -> {name}" for name, i in self.fields.items()]
        used += [f"{headers[i]!r} -> date entered {stage!r}" for i, stage in self.stage_dates]
        return used


def detect_vendor(headers: Sequence[str]) -> str:
    names = {norm_header(h) for h in headers}
    if "stage history" in names or {"number", "stage entered at"} <= names:
        return "ours"
    if any(n.startswith(("deal - ", "person - ", "lead - ", "organization - ")) for n in names):
        return "pipedrive"
    salesforce = {
        "opportunity id", "opportunity name", "opportunity owner", "stagename", "lead id",
        "lead owner", "company / account", "isclosed",
    }  # fmt: skip
    if len(names & salesforce) >= 2:  # one alone (`opportunity_id`) is any file's word
        return "salesforce"
    hubspot = {"record id", "deal stage", "lifecycle stage", "deal owner", "contact owner"}
    if len(names & hubspot) >= 2 or any(_DATE_ENTERED.match(n) or _BECAME.match(n) for n in names):
        return "hubspot"
    return "generic"


class HeaderError(Exception):
    """The header row can't be used (no name column, an unknown --map field...)."""


def map_columns(kind: str, headers: Sequence[str], user_map: Mapping[str, str]) -> ColumnMap:
    aliases = ALIASES[kind]
    columns = ColumnMap(kind, detect_vendor(headers), list(headers))
    normalized = [norm_header(h) for h in headers]
    mapped_by_user: set[int] = set()
    wanted = {norm_header(k): v.strip() for k, v in user_map.items()}
    for their, ours in wanted.items():
        if their not in normalized:
            raise HeaderError(f"--map names a column the file doesn't have: `{their}`")
        index = normalized.index(their)
        mapped_by_user.add(index)
        if ours.casefold() == IGNORE:
            continue
        if ours.startswith(ENTERED_PREFIX):
            columns.stage_dates.append((index, ours[len(ENTERED_PREFIX) :]))
        elif ours in aliases:
            columns.fields[ours] = index
        else:
            listing = ", ".join([*aliases, ENTERED_PREFIX + "<stage>", IGNORE])
            raise HeaderError(f"--map: unknown field `{ours}`; fields: {listing}")
    for name, names in aliases.items():
        if name in columns.fields:
            continue
        for alias in names:
            key = norm_header(alias)
            if key in normalized and normalized.index(key) not in mapped_by_user:
                index = normalized.index(key)
                if index not in columns.fields.values():
                    columns.fields[name] = index
                    break
    taken = set(columns.fields.values()) | mapped_by_user
    pattern = _DATE_ENTERED if kind == DEALS else _BECAME
    for index, header in enumerate(headers):
        if index in taken:
            continue
        match = pattern.match(header.strip())
        if match:
            stage = match.groupdict().get("stage") or match["label"] or match["name"]
            columns.stage_dates.append((index, stage))
        elif normalized[index] not in INFORMATIONAL:
            columns.ignored.append(header)
    if columns.vendor == "ours" and "number" in normalized:
        # Only our own export's numbers are ours; another file's "Number" means something else.
        columns.fields.setdefault("number", normalized.index("number"))
    _require_name(columns, headers)
    return columns


def _require_name(columns: ColumnMap, headers: Sequence[str]) -> None:
    namers = ("name", "company", "product", "external_id")
    if columns.kind == DEALS and not any(columns.has(f) for f in namers):
        raise HeaderError(
            "no column for the deal name, nor a company, product or record id to name deals "
            f"by (e.g. `Deal Name`, `Opportunity Name`, `Account`); columns: {_listing(headers)}; "
            'use --map "<column>=name"'
        )
    if columns.kind == LEADS and not any(
        columns.has(f)
        for f in ("name", "first_name", "last_name", "email", "company", "external_id")
    ):
        raise HeaderError(
            "no column for the lead's name or email (e.g. `First Name`, `Last Name`, "
            f'`Email`); columns: {_listing(headers)}; use --map "<column>=name"'
        )


def _listing(headers: Sequence[str]) -> str:
    shown = ", ".join(f"`{h}`" for h in headers[:15])
    return shown + (f" and {len(headers) - 15} more" if len(headers) > 15 else "")
