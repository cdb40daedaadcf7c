"""Write the sample pools' workbooks (run ``python -m sample_pools.build``).

Each pool is a folder with its agreement and four quarterly returns. The
workbooks are committed too, so a user can open them in Excel; rebuild them
here when the formats grow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.records import Arrangement
from ledger.workbooks.templates import write

HERE = Path(__file__).parent
Files = dict[str, tuple[str, Arrangement, dict[str, Any]]]


def swindon_cyp() -> Files:
    """Worked example A of SPEC section 6 (seed 000: Swindon services for children and young people).

    Swindon Borough Council hosts; the PCT contributes. Their £28m pool
    includes £10,000 of launch costs; the year overspends by £450,000 and the
    PCT's share of an overspend is capped at £150,000.
    """
    arr = Arrangement.LEAD_BODY
    agreement = {
        "Pool": {"Code": "SWN-CYP", "Name": "Swindon children's services", "Arrangement": "lead body",
                 "Financial year": "2025-26", "Host": "SBC", "Underspend": "return"},
        "Partners": [
            {"Partner": "SBC", "Name": "Swindon Borough Council", "Kind": "council", "Role": "host",
             "Contribution": Decimal("16800000")},
            {"Partner": "PCT", "Name": "Swindon Primary Care Trust", "Kind": "nhs_commissioner",
             "Role": "contributor", "Contribution": Decimal("11200000"), "Cap": Decimal("150000")},
        ],
        "Lines": [
            {"Line": "CYP-SOC", "Name": "Children's social care", "Budget": Decimal("16790000")},
            {"Line": "CYP-HLTH", "Name": "Children's community health", "Budget": Decimal("11200000")},
            {"Line": "CYP-LAUNCH", "Name": "Launch of the joint service", "Budget": Decimal("10000")},
        ],
    }
    spend = {
        1: {"CYP-SOC": "4190000", "CYP-HLTH": "2800000", "CYP-LAUNCH": "10000"},
        2: {"CYP-SOC": "4250000", "CYP-HLTH": "2850000"},
        3: {"CYP-SOC": "4300000", "CYP-HLTH": "2850000"},
        4: {"CYP-SOC": "4300000", "CYP-HLTH": "2900000"},
    }
    forecasts = {
        1: {"CYP-SOC": "16900000", "CYP-HLTH": "11300000"},
        2: {"CYP-SOC": "17000000", "CYP-HLTH": "11400000"},
        3: {"CYP-SOC": "17040000", "CYP-HLTH": "11400000"},
        4: {},
    }
    files: Files = {"agreement.xlsx": ("agreement", arr, agreement)}
    for q in (1, 2, 3, 4):
        month = {1: (2025, 5), 2: (2025, 8), 3: (2025, 11), 4: (2026, 2)}[q]
        day = date(month[0], month[1], 15)
        files[f"return-2025-26-Q{q}.xlsx"] = (
            "return",
            arr,
            {
                "Return": {"Pool": "SWN-CYP", "Period": f"2025-26-Q{q}", "Submitted by": "SBC"},
                "Contributions": [
                    {"Date": day, "Partner": "SBC", "Amount": Decimal("4200000"), "Reference": f"SBC-Q{q}"},
                    {"Date": day, "Partner": "PCT", "Amount": Decimal("2800000"), "Reference": f"PCT-Q{q}"},
                ],
                "Spend": [
                    {"Date": day, "Line": line, "Amount": Decimal(amount), "Reference": f"{line}-Q{q}",
                     "Description": f"Q{q} spend"}
                    for line, amount in spend[q].items()
                ],
                "Forecast": [{"Line": line, "Forecast outturn": Decimal(v)} for line, v in forecasts[q].items()],
            },
        )
    return files


POOLS: dict[str, Callable[[], Files]] = {"swindon-cyp": swindon_cyp}


def build(root: Path = HERE) -> list[Path]:
    written = []
    for folder, make in POOLS.items():
        for name, (kind, arrangement, data) in make().items():
            written.append(write(root / folder / name, kind, arrangement, data, examples=False))
    return written


if __name__ == "__main__":
    for p in build():
        print(p)
