"""The sheets and columns of the agreement and return workbooks (FORMATS 2 and 3).

One description serves reading (headers, kinds, what is required where) and
writing templates (notes on headers, drop-down lists, example rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.records import PARTNER_KINDS, Arrangement

A = Arrangement
ALL = frozenset(Arrangement)
POOLED = frozenset({A.LEAD_BODY, A.JOINT_VENTURE})

ARRANGEMENT_CHOICES = {
    "aligned": "aligned",
    "lead_body": "lead_body",
    "joint_commissioning": "joint_commissioning",
    "joint_venture": "joint_venture",
    "alliance": "alliance",
}
ROLE_CHOICES = {r: r for r in ("host", "contributor", "commissioner", "provider", "owner", "beneficiary")}
KIND_CHOICES = {k: k for k in PARTNER_KINDS}
UNDERSPEND_CHOICES = {"return": "return", "carry_forward": "carry_forward", "carryforward": "carry_forward"}
RISK_SHARE_CHOICES = {"none": "none", "shared": "shared"}
BASIS_CHOICES = {"investment": "investment", "risk": "risk"}
PAIN_CAP_CHOICES = {"fee": "fee", "none": "none"}
DIRECTION_CHOICES = {"gain": "gain", "pain": "pain"}
BETTER_CHOICES = {"higher": "higher", "lower": "lower"}
STATUS_CHOICES = {"forecast": "forecast", "realised": "realised", "realized": "realised"}
QUARTER_CHOICES = {"q1": "Q1", "q2": "Q2", "q3": "Q3", "q4": "Q4", "1": "Q1", "2": "Q2", "3": "Q3", "4": "Q4"}


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a table sheet, or a field of a key/value sheet."""

    name: str  # as FORMATS writes it
    kind: str  # code | text | money | percent | date | number | choice | period | score
    note: str
    key: str  # the record field it fills
    required: bool = False  # header and a value in every row, wherever the sheet applies
    required_for: frozenset[Arrangement] = frozenset()  # header required in these arrangements
    applies: frozenset[Arrangement] = ALL
    choices: dict[str, str] = field(default_factory=dict)
    example: object = None

    @property
    def field(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    note: str
    key_value: bool = False
    required: bool = False
    applies: frozenset[Arrangement] = ALL

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.field == key:
                return c
        raise KeyError(key)


def C(name: str, kind: str, note: str, key: str = "", **kw: object) -> Column:  # noqa: N802 - reads best short
    """A column whose record field is ``key``, by default its name in snake case."""
    key = key or name.lower().replace(" %", "").replace("(£)", "").strip().replace(" ", "_")
    return Column(name, kind, note, key, **kw)  # type: ignore[arg-type]


POOL = SheetSpec(
    "Pool",
    (
        C("Code", "code", "The pool's code: 1-16 letters, digits, _ or -", required=True, example="SWN-CYP"),
        C("Name", "text", "The pool's name", required=True, example="Swindon children's services"),
        C("Arrangement", "choice", "aligned, lead body, joint commissioning, joint venture or alliance",
          required=True, choices=ARRANGEMENT_CHOICES, example="lead_body"),
        C("Financial year", "year", "The financial year these terms cover, e.g. 2025-26",
          key="year", required=True, example="2025-26"),
        C("Host", "code", "Partner code of the host (lead body), the entity (joint venture) "
          "or the lead commissioner (joint commissioning)",
          applies=frozenset({A.LEAD_BODY, A.JOINT_VENTURE, A.JOINT_COMMISSIONING}), example="SBC"),
        C("Underspend", "choice", "return (default) or carry forward; joint venture default carry forward",
          applies=POOLED, choices=UNDERSPEND_CHOICES, example="return"),
        C("Aligned risk share", "choice", "none (default) or shared", applies=frozenset({A.ALIGNED}),
          choices=RISK_SHARE_CHOICES, example="none"),
        C("Savings share %", "percent", "Share of cashable savings put into the pot at Q4 (default 0)",
          key="savings_share", example=0),
        C("Savings share basis", "choice", "investment (default) or risk", choices=BASIS_CHOICES,
          example="investment"),
        C("KPI threshold", "score", "Score from 0 to 1, or a percentage with %, below which no gainshare is paid",
          applies=frozenset({A.ALLIANCE}), example="50%"),
        C("Pain cap", "choice", "fee (default: painshare capped at providers' fees) or none",
          applies=frozenset({A.ALLIANCE}), choices=PAIN_CAP_CHOICES, example="fee"),
    ),
    "The pool's terms for one financial year: field in column A, value in column B",
    key_value=True,
    required=True,
)

PARTNERS = SheetSpec(
    "Partners",
    (
        C("Partner", "code", "Partner code, e.g. SBC or BSW-ICB; one row per partner", required=True,
          example="SBC"),
        C("Name", "text", "The organisation's name", required=True, example="Swindon Borough Council"),
        C("Kind", "choice", "council, nhs_commissioner, nhs_provider, public_health, police, fire, housing, "
          "voluntary, private, joint_venture, central_government or other", choices=KIND_CHOICES,
          example="council"),
        C("Role", "choice", "host, contributor, commissioner, provider, owner or beneficiary", required=True,
          choices=ROLE_CHOICES, example="host"),
        C("Contribution", "money", "Annual contribution to the pool (£)", required_for=POOLED, applies=POOLED,
          example=16800000),
        C("Overspend share %", "percent", "Share of an overspend (default: contribution or budget share)",
          key="overspend_share", applies=POOLED | {A.ALIGNED}, example=60),
        C("Underspend share %", "percent", "Share of an underspend (default: contribution or budget share)",
          key="underspend_share", applies=POOLED | {A.ALIGNED}, example=60),
        C("Cap", "money", "Most this partner bears of an overspend (£); blank is no cap, 0 bears nothing",
          applies=POOLED, example=None),
        C("Ownership %", "percent", "Share of the joint venture owned", key="ownership",
          required_for=frozenset({A.JOINT_VENTURE}), applies=frozenset({A.JOINT_VENTURE})),
        C("Cost share %", "percent", "Commissioner's share of the cost", key="cost_share",
          required_for=frozenset({A.JOINT_COMMISSIONING, A.ALLIANCE}),
          applies=frozenset({A.JOINT_COMMISSIONING, A.ALLIANCE})),
        C("Target cost", "money", "Provider's target cost (£)", required_for=frozenset({A.ALLIANCE}),
          applies=frozenset({A.ALLIANCE})),
        C("Fee", "money", "Provider's fee (£): the most painshare it bears", required_for=frozenset({A.ALLIANCE}),
          applies=frozenset({A.ALLIANCE})),
        C("Gain split %", "percent", "Provider's share of gain and pain (default: target share)",
          key="gain_split", applies=frozenset({A.ALLIANCE})),
    ),
    "Every partner of the pool with its role and terms",
    required=True,
)

LINES = SheetSpec(
    "Lines",
    (
        C("Line", "code", "Budget line (scheme) code", key="code", required=True, example="CYP-SOC"),
        C("Name", "text", "The line's name", required=True, example="Children's social care"),
        C("Budget", "money", "Annual budget of the line (£)", required=True, example=16800000),
        C("Owner", "code", "Partner code of the line's owner (aligned budgets)",
          required_for=frozenset({A.ALIGNED}), applies=frozenset({A.ALIGNED})),
        C("Provider", "text", "Alliance: the provider's partner code; joint commissioning: the provider's name",
          required_for=frozenset({A.ALLIANCE}), applies=frozenset({A.ALLIANCE, A.JOINT_COMMISSIONING})),
    ),
    "The pool's budget lines",
    required=True,
)

LINE_SHARES = SheetSpec(
    "LineShares",
    (
        C("Line", "code", "Line code", required=True),
        C("Partner", "code", "Commissioner's partner code", required=True),
        C("Cost share %", "percent", "This commissioner's share of the line's cost", key="cost_share",
          required=True),
    ),
    "Cost shares of a line that differ from the commissioners' usual shares",
    applies=frozenset({A.JOINT_COMMISSIONING}),
)

SCHEDULE = SheetSpec(
    "Schedule",
    (
        C("Partner", "code", "Partner code", required=True, example="PCT"),
        C("Quarter", "choice", "Q1, Q2, Q3 or Q4", required=True, choices=QUARTER_CHOICES, example="Q1"),
        C("Amount", "money", "Instalment due in the quarter (£)", required=True, example=2800000),
    ),
    "Instalments that replace the four equal quarterly instalments of a contribution",
    applies=POOLED,
)

BANDS = SheetSpec(
    "Bands",
    (
        C("Direction", "choice", "gain or pain", required=True, choices=DIRECTION_CHOICES, example="gain"),
        C("From %", "percent", "Start of the band, % of the target cost", key="from_pct", required=True,
          example=0),
        C("To %", "percent", "End of the band, % of the target cost (blank: unbounded)", key="to_pct",
          example=5),
        C("Providers %", "percent", "Providers' share of the gain or pain in the band", key="providers_pct",
          required=True, example=50),
    ),
    "Gain and pain share bands",
    applies=frozenset({A.ALLIANCE}),
)

KPIS = SheetSpec(
    "KPIs",
    (
        C("KPI", "code", "KPI code", key="code", required=True, example="SEEN"),
        C("Name", "text", "What is measured", required=True, example="Seen within 2 weeks"),
        C("Weight", "number", "Weight in the score (> 0)", required=True, example=3),
        C("Target", "number", "Target, in the KPI's own unit", required=True, example=95),
        C("Floor", "number", "Floor: strictly on the worse side of the target", required=True, example=75),
        C("Better", "choice", "higher or lower", required=True, choices=BETTER_CHOICES, example="higher"),
    ),
    "Key performance indicators that scale the gainshare",
    applies=frozenset({A.ALLIANCE}),
)

AGREEMENT_SHEETS = (POOL, PARTNERS, LINES, LINE_SHARES, SCHEDULE, BANDS, KPIS)

RETURN = SheetSpec(
    "Return",
    (
        C("Pool", "code", "The pool's code", required=True, example="SWN-CYP"),
        C("Period", "period", "The quarter, e.g. 2025-26-Q2", required=True, example="2025-26-Q1"),
        C("Submitted by", "code", "Partner code of the partner sending the return", key="submitted_by",
          required=True, example="SBC"),
    ),
    "Which pool, which quarter, and who sends it: field in column A, value in column B",
    key_value=True,
    required=True,
)

_CORRECTS = C("Corrects period", "period", "Only for a correction to a closed quarter: the quarter it corrects",
              key="corrects")

SPEND = SheetSpec(
    "Spend",
    (
        C("Date", "date", "Date of the spend, inside the return's quarter", required=True, example="2025-05-15"),
        C("Line", "code", "Budget line code", required=True, example="CYP-SOC"),
        C("Amount", "money", "Amount spent (£); a credit note is negative", required=True, example=4200000),
        C("Reference", "text", "Invoice or journal reference", example="INV-1001"),
        C("Description", "text", "What it was for", example="Placements April-June"),
        C("Paid by", "code", "Partner code of who paid (default: the submitter)", key="paid_by"),
        C("Provider", "code", "Provider's partner code (alliance; default: the line's provider)",
          applies=frozenset({A.ALLIANCE})),
        _CORRECTS,
    ),
    "Money spent on the pool's lines",
)

INCOME = SheetSpec(
    "Income",
    (
        C("Date", "date", "Date received, inside the return's quarter", required=True, example="2025-05-20"),
        C("Line", "code", "Budget line code", required=True, example="CYP-SOC"),
        C("Amount", "money", "Amount received (£)", required=True, example=12500),
        C("Reference", "text", "Reference", example="RCPT-77"),
        C("Description", "text", "Client charges, grants, trading...", example="Client contributions"),
        C("Received by", "code", "Partner code of who received it (default: the submitter)", key="received_by"),
        _CORRECTS,
    ),
    "Income on the pool's lines: client charges, grants, trading",
)

CONTRIBUTIONS = SheetSpec(
    "Contributions",
    (
        C("Date", "date", "Date paid into the pool", required=True, example="2025-04-30"),
        C("Partner", "code", "Partner code of who paid", required=True, example="PCT"),
        C("Amount", "money", "Amount paid into the pool (£); a refund is negative", required=True,
          example=2800000),
        C("Reference", "text", "Reference", example="BACS-2025-04"),
        _CORRECTS,
    ),
    "Money paid into or out of the pooled fund",
    applies=POOLED,
)

TRANSFERS = SheetSpec(
    "Transfers",
    (
        C("Date", "date", "Date paid", required=True, example="2025-06-30"),
        C("From", "code", "Partner code of who paid", key="from_partner", required=True, example="PCT"),
        C("To", "code", "Partner code of who received", key="to_partner", required=True, example="SBC"),
        C("Amount", "money", "Amount (£), more than zero", required=True, example=10000),
        C("Reference", "text", "Reference", example="TRF-1"),
        _CORRECTS,
    ),
    "Settlement payments between partners outside the pool",
)

FORECAST = SheetSpec(
    "Forecast",
    (
        C("Line", "code", "Budget line code", required=True, example="CYP-SOC"),
        C("Forecast outturn", "money", "Full-year net outturn of the whole line (£)", key="amount", required=True,
          example=17000000),
    ),
    "Forecast full-year outturn per line: one forecast per line per quarter",
)

KPI_ACTUALS = SheetSpec(
    "KPIs",
    (
        C("KPI", "code", "KPI code", required=True, example="SEEN"),
        C("Actual", "number", "Latest actual, in the KPI's own unit", required=True, example=91),
    ),
    "Latest KPI actuals",
    applies=frozenset({A.ALLIANCE}),
)

SAVINGS = SheetSpec(
    "Savings",
    (
        C("Line", "code", "Budget line the saving comes from", example="CYP-SOC"),
        C("Measure", "text", "What was avoided, e.g. emergency admissions", required=True,
          example="Avoided emergency admissions"),
        C("Quantity", "number", "How many (negative only with Evidence)", required=True, example=20),
        C("Unit cost", "money", "Cost of one (£)", required=True, example=2500),
        C("Beneficiary", "code", "Partner code of whose budget the saving lands in", required=True, example="PCT"),
        C("Deadweight %", "percent", "Share that would have happened anyway", key="deadweight", example=10),
        C("Attribution %", "percent", "Share due to this pool (blank = 100)", key="attribution", example=90),
        C("Optimism bias %", "percent", "Adjustment for optimism bias", key="optimism_bias", example=0),
        C("Cashable %", "percent", "Share that is cashable", key="cashable", example=50),
        C("Status", "choice", "forecast or realised", required=True, choices=STATUS_CHOICES, example="realised"),
        C("Evidence", "text", "Where the figure comes from", example="SUS admissions data Q1"),
    ),
    "Savings attributed to the pool's work",
)

RETURN_SHEETS = (RETURN, SPEND, INCOME, CONTRIBUTIONS, TRANSFERS, FORECAST, KPI_ACTUALS, SAVINGS)
