"""Write the quarterly partner settlement report (an .xlsx a finance director can file).

Sheets: Summary; a statement per partner; a sheet per pool (lines with a
budget/spend/forecast chart, the alliance gain/pain calculation and curve,
savings from gross to net, adjustments to closed quarters); Wrong pocket;
Journal. Real number formats, frozen headers, fitted widths, A4 landscape.
Text from partners' workbooks is always written as text, never a formula.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.money import from_pence
from ledger.services.reporting import PoolReport, Report
from ledger.workbooks.reader import column_letter
from ledger.workbooks.templates import HEADER_FILL, MONEY_FORMAT, write_text_safe

RATIO_FORMAT = "0.0000"
PERCENT_FORMAT = "0.0%"
MAX_WIDTH = 60


def _money(text: str | Decimal) -> float:
    """A money figure as Excel stores numbers; repr() keeps the pence exact for these magnitudes."""
    return float(Decimal(text))


class _Sheet:
    """Rows appended with styles; widths fitted at the end."""

    def __init__(self, wb: Any, title: str):
        from openpyxl.styles import Font

        self.ws = wb.create_sheet(_title(wb, title))
        self.bold = Font(bold=True)
        self.big = Font(bold=True, size=13)
        self.widths: dict[int, int] = {}

    def title(self, text: str) -> None:
        self.row([text])
        self.ws.cell(self.ws.max_row, 1).font = self.big

    def row(self, values: list[Any], money: tuple[int, ...] = (), bold: bool = False, header: bool = False,
            ratio: tuple[int, ...] = ()) -> int:
        from openpyxl.styles import PatternFill

        r = self.ws.max_row + 1 if self.ws.max_row > 1 or self.ws.cell(1, 1).value is not None else 1
        for c, v in enumerate(values, start=1):
            cell = self.ws.cell(r, c)
            if c - 1 in money and v not in (None, ""):
                cell.value = _money(v)
                cell.number_format = MONEY_FORMAT
            elif c - 1 in ratio and v not in (None, ""):
                cell.value = float(Decimal(v))
                cell.number_format = RATIO_FORMAT
            else:
                write_text_safe(cell, v if not isinstance(v, Decimal) else float(v))
            if bold or header:
                cell.font = self.bold
            if header:
                cell.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
            if len(values) > 1:  # a title or a note in one cell spills over; it sets no width
                shown = len(f"{Decimal(v):,.2f}") if c - 1 in money and v not in (None, "") else len(str(v or ""))
                self.widths[c] = max(self.widths.get(c, 0), min(MAX_WIDTH, shown + 2))
        return r

    def blank(self) -> None:
        self.ws.append([])

    def finish(self, freeze: str | None = None) -> None:
        for c, w in self.widths.items():
            self.ws.column_dimensions[column_letter(c)].width = max(10, w)
        if freeze:
            self.ws.freeze_panes = freeze
        setup = self.ws.page_setup
        setup.orientation = "landscape"
        setup.paperSize = self.ws.PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.gridLines = False


def _title(wb: Any, text: str) -> str:
    bad = '[]:*?/\\'
    base = "".join("-" if ch in bad else ch for ch in text)[:31]
    name, n = base, 2
    while name in wb.sheetnames:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name


def write_report(report: Report, path: str | Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb, report)
    partners = _partners(report)
    for code in partners:
        _statement(wb, report, code)
    for pool in report.pools:
        _pool(wb, report, pool)
    _wrong_pocket(wb, report)
    _journal(wb, report)
    props = wb.properties
    props.title = f"Quarterly partner settlement report {report.period}"
    props.subject = "Pooled budgets and alliance contracts: settlement statements"
    props.creator = "pool-ledger"
    props.keywords = f"pool-ledger {report.period}" + (f" {report.partner}" if report.partner else "")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _partners(report: Report) -> list[str]:
    seen: list[str] = []
    for pool in report.pools:
        for p in pool.doc["partners"]:
            if p["partner"] not in seen and (report.partner is None or p["partner"] == report.partner):
                seen.append(p["partner"])
    return seen


def _status(pool: PoolReport, partner: str) -> str:
    if not pool.doc.get("closed"):
        return "open (figures may change)"
    signed = [s for s in pool.signoffs if s["partner"] == partner]
    return f"signed off by {signed[0]['name']} {signed[0]['signed_at'][:10]}" if signed else "closed, awaiting sign-off"


def _summary(wb: Any, report: Report) -> None:
    s = _Sheet(wb, "Summary")
    s.title(f"Quarterly partner settlement report, {report.period}"
            + (f": pack for {report.partner}" if report.partner else ""))
    s.row(["Balance: positive, the partner owes the pool or its partners; negative, the partner is owed."])
    s.blank()
    s.row(["Pool", "Name", "Arrangement", "Partner", "Partner name", "Balance", "Pays", "Receives", "Status"],
          header=True)
    first = s.ws.max_row
    totals: dict[str, Decimal] = {}
    for pool in report.pools:
        for p in pool.doc["partners"]:
            if report.partner and p["partner"] != report.partner:
                continue
            bal = Decimal(p["balance"])
            totals[p["partner"]] = totals.get(p["partner"], Decimal(0)) + bal
            s.row([pool.code, pool.doc["name"], pool.doc["arrangement"].replace("_", " "), p["partner"],
                   p.get("name", ""), bal, max(bal, Decimal(0)), max(-bal, Decimal(0)), _status(pool, p["partner"])],
                  money=(5, 6, 7))
    s.blank()
    s.row(["Total per partner"], bold=True)
    s.row(["Partner", "", "", "", "", "Balance", "Pays", "Receives"], header=True)
    for code, bal in totals.items():
        s.row([code, "", "", "", "", bal, max(bal, Decimal(0)), max(-bal, Decimal(0))], money=(5, 6, 7))
    s.finish(freeze=f"A{first + 1}")


def _statement(wb: Any, report: Report, code: str) -> None:
    s = _Sheet(wb, f"Statement {code}")
    name = next((p.get("name", "") for pool in report.pools for p in pool.doc["partners"] if p["partner"] == code), "")
    s.title(f"Settlement statement: {code} {name}, {report.period}")
    s.blank()
    for pool in report.pools:
        p = next((x for x in pool.doc["partners"] if x["partner"] == code), None)
        if p is None:
            continue
        s.row([f"{pool.doc['name']} ({pool.code}), {pool.doc['arrangement'].replace('_', ' ')}: "
               f"{'final' if pool.doc['final'] else 'year to date'}; {_status(pool, code)}"], bold=True)
        s.row(["Item", "Amount", "How it was worked out"], header=True)
        for item, value in p["items"].items():
            is_ratio = len(value.split(".")[1]) == 4 if "." in value else False
            s.row([item.replace("_", " "), value, p.get("explanations", {}).get(item, "")],
                  money=() if is_ratio else (1,), ratio=(1,) if is_ratio else ())
        for key in ("brought_forward", "obligation", "paid", "transfers_out", "transfers_in"):
            s.row([key.replace("_", " "), p[key], ""], money=(1,))
        s.row(["balance", p["balance"], "brought forward + obligation - paid - transfers out + transfers in"],
              money=(1,), bold=True)
        s.blank()
    s.finish(freeze="A2")


def _pool(wb: Any, report: Report, pool: PoolReport) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    s = _Sheet(wb, f"Pool {pool.code}")
    doc = pool.doc
    s.title(f"{doc['name']} ({pool.code}), {doc['arrangement'].replace('_', ' ')}, {report.period}")
    t = doc["totals"]
    s.row(["Budget", "Spend", "Income", "Net spend", "Forecast", "Variance", "Pool cash", "Carried forward"],
          header=True)
    s.row([t[k] for k in ("budget", "spend", "income", "net_spend", "forecast", "variance", "pool_cash",
                          "carried_forward")], money=tuple(range(8)))
    s.blank()
    s.row(["Line", "Name", "Budget", "Spend", "Income", "Forecast outturn", "Variance"], header=True)
    first = s.ws.max_row + 1
    for ln in pool.lines:
        s.row([ln.code, ln.name, ln.budget, ln.spend, ln.income, ln.forecast, ln.variance], money=(2, 3, 4, 5, 6))
    last = s.ws.max_row
    if pool.lines:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Budget, spend and forecast by line"
        chart.y_axis.title = "£"
        chart.add_data(Reference(s.ws, min_col=3, max_col=4, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.add_data(Reference(s.ws, min_col=6, max_col=6, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
        chart.height, chart.width = 8, 18
        s.ws.add_chart(chart, f"I{first - 1}")
    s.blank()
    if doc.get("alliance"):
        a = doc["alliance"]
        s.row(["Gain and pain" + (" (final)" if a["final"] else " (projected from the forecast outturn)")], bold=True)
        for key in ("target", "actual", "variance", "gain_raw", "gainshare", "withheld", "pain_raw", "painshare",
                    "commissioners_bear"):
            s.row([key.replace("_", " "), a[key]], money=(1,))
        s.row(["KPI score", a["kpi_score"]], ratio=(1,))
        s.row(["KPI modifier", a["modifier"]], ratio=(1,))
        s.blank()
        s.row(["Outturn", "Providers' share", "Commissioners' share"], header=True)
        c0 = s.ws.max_row + 1
        for outturn, providers, commissioners in pool.curve:
            s.row([outturn, providers, commissioners], money=(0, 1, 2))
        c1 = s.ws.max_row
        if pool.curve:
            curve = LineChart()
            curve.title = "Gain/pain curve: shares of the underrun (+) or overrun (-)"
            curve.x_axis.title = "Outturn (£)"
            curve.add_data(Reference(s.ws, min_col=2, max_col=3, min_row=c0 - 1, max_row=c1), titles_from_data=True)
            curve.set_categories(Reference(s.ws, min_col=1, min_row=c0, max_row=c1))
            curve.height, curve.width = 8, 18
            s.ws.add_chart(curve, f"I{c0 - 1}")
        s.blank()
    if pool.savings:
        s.row(["Savings: gross to net"], bold=True)
        s.row(["Measure", "Status", "Beneficiary", "Quantity", "Unit cost", "Gross", "Deadweight %", "Attribution %",
               "Optimism bias %", "Net", "Cashable %", "Cashable", "Non-cashable", "Evidence"], header=True)
        for sv, f in pool.savings:
            s.row([sv.measure, sv.status, sv.beneficiary, float(sv.quantity), sv.unit_cost, f.gross,
                   float(sv.deadweight), float(sv.attribution), float(sv.optimism_bias), f.net, float(sv.cashable),
                   f.cashable, f.non_cashable, sv.evidence], money=(4, 5, 9, 11, 12))
        s.blank()
    adjustments = [j for j in pool.journal if j["corrects"] and j["account"].startswith(f"pool:{pool.code}:")]
    if adjustments:
        s.row(["Adjustments to closed quarters"], bold=True)
        s.row(["Corrects period", "Date", "Account", "Amount", "Reference", "Source"], header=True)
        for j in adjustments:
            s.row([j["corrects"], j["date"], j["account"], from_pence(j["amount"]), j["reference"],
                   f"{j['file_name']}:{j['sheet']}!{j['row']}"], money=(3,))
    s.finish(freeze="A3")


def _wrong_pocket(wb: Any, report: Report) -> None:
    s = _Sheet(wb, "Wrong pocket")
    s.title(f"Wrong pocket: who invested against whose budget benefited, {report.period} (realised net)")
    matrix = report.savings.matrix if report.savings else {}
    if report.partner:
        matrix = {k: v for k, v in matrix.items() if report.partner in k}
    investors = sorted({i for i, _ in matrix})
    beneficiaries = sorted({b for _, b in matrix})
    s.row(["Investor \\ beneficiary", *beneficiaries, "Total"], header=True)
    for i in investors:
        values = [matrix.get((i, b), Decimal(0)) for b in beneficiaries]
        s.row([i, *values, sum(values, Decimal(0))], money=tuple(range(1, len(beneficiaries) + 2)))
    if not investors:
        s.row(["No realised savings in this period."])
    s.finish(freeze="B3")


def _journal(wb: Any, report: Report) -> None:
    s = _Sheet(wb, "Journal")
    s.title(f"Journal: every posting dated in {report.period}, with its provenance")
    s.row(["Date", "Pool", "Kind", "Account", "Amount", "Line", "Partner", "Reference", "Corrects period",
           "File", "SHA-256", "Sheet!Row", "Imported by", "Imported at (UTC)"], header=True)
    for pool in report.pools:
        for j in pool.journal:
            kind = j["kind"] + (" (reversal)" if j["reverses_batch"] else "")
            s.row([j["date"], pool.code, kind, j["account"], from_pence(j["amount"]), j["line"] or "",
                   j["partner"] or "", j["reference"], j["corrects"] or "", j["file_name"], j["sha256"][:16],
                   f"{j['sheet']}!{j['row']}", j["operator"], j["imported_at"]], money=(4,))
    s.finish(freeze="A3")
