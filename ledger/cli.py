"""The ``pool-ledger`` command line (FORMATS section 4).

Exit codes: 0 done (warnings may be printed), 1 the input was refused (the
problems on stderr, one per line), 2 a usage error. Results go to stdout.
Heavy libraries are imported inside the command that needs them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TextIO

from ledger.problems import Problem

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
ARRANGEMENTS = ("aligned", "lead_body", "joint_commissioning", "joint_venture", "alliance")


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pool-ledger",
        description="The ledger of pooled budgets and alliance contracts.",
    )
    p.add_argument("--db", help="database: a SQLAlchemy URL or a SQLite file path (default: ledger.db in the "
                   "user's data directory, or $POOL_LEDGER_DB)")
    p.add_argument("--as", dest="operator", metavar="NAME", help="the operator recorded in the audit trail")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("tui", help="open the terminal UI (the default)")
    demo = sub.add_parser("demo", help="load the sample pools into the demo database and open the UI")
    demo.add_argument("--no-tui", action="store_true", help="load only, and print the database's URL")
    imp = sub.add_parser("import", help="import agreement and return workbooks")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--replace", action="store_true", help="replace the submitter's earlier return for the period")
    imp.add_argument("--dry-run", action="store_true", help="check only: nothing is written")
    pools = sub.add_parser("pools", help="list the pools")
    pools.add_argument("--json", action="store_true")
    settle = sub.add_parser("settle", help="the settlement of a pool for a period")
    settle.add_argument("pool")
    settle.add_argument("--period", required=True, help="e.g. 2025-26-Q2")
    settle.add_argument("--json", action="store_true")
    settle.add_argument("--out", metavar="FILE.xlsx", help="also write the statement as a workbook")
    close = sub.add_parser("close", help="close a quarter: record its statement and lock it")
    close.add_argument("pool")
    close.add_argument("--period", required=True)
    sign = sub.add_parser("signoff", help="a partner signs off a closed quarter")
    sign.add_argument("pool")
    sign.add_argument("--period", required=True)
    sign.add_argument("--partner", required=True)
    rep = sub.add_parser("report", help="the quarterly partner settlement report (.xlsx)")
    rep.add_argument("--period", required=True)
    rep.add_argument("--out", required=True, metavar="FILE.xlsx")
    rep.add_argument("--partner", help="one partner's pack: only what it is party to")
    sav = sub.add_parser("savings", help="savings attribution and the wrong-pocket matrix")
    sav.add_argument("--period", required=True, help="e.g. 2025-26-Q4")
    sav.add_argument("--json", action="store_true")
    tpl = sub.add_parser("template", help="write a blank agreement or return workbook")
    tpl.add_argument("kind", choices=("agreement", "return"))
    tpl.add_argument("--arrangement", choices=ARRANGEMENTS, type=lambda s: s.strip().lower().replace(" ", "_").replace("-", "_"))
    tpl.add_argument("--out", required=True, metavar="FILE.xlsx")
    sub.add_parser("check", help="verify the books")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except UsageError as exc:
        print(f"pool-ledger: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("pool-ledger: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a fault of ours, not the user's: say so without a wall of traceback
        if os.environ.get("POOL_LEDGER_DEBUG"):
            raise
        print(f"pool-ledger: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("pool-ledger: nothing was half-written (each import is one transaction); "
              "run again with POOL_LEDGER_DEBUG=1 for the details and report them", file=sys.stderr)
        return 3


def _engine(args: argparse.Namespace, db: str | None = None) -> Any:
    from ledger.store.db import open_engine, resolve_url

    url = resolve_url(db or args.db)
    try:
        return open_engine(url)
    except Exception as exc:  # a bad URL, a missing driver, a database that cannot be opened
        raise UsageError(f"cannot open the database {url}: {exc}") from None


def _dispatch(args: argparse.Namespace) -> int:
    from ledger.services import LedgerError

    command = args.command or "tui"
    try:
        if command == "tui":
            return _tui(_engine(args))
        if command == "demo":
            return _demo(args)
        if command == "import":
            return _import(args)
        if command == "pools":
            return _pools(args)
        if command == "settle":
            return _settle(args)
        if command == "template":
            return _template(args)
        if command == "savings":
            return _savings(args)
        if command == "report":
            return _report(args)
        if command == "close":
            return _close(args)
        if command == "signoff":
            return _signoff(args)
        if command == "check":
            return _check(args)
    except LedgerError as exc:
        print(f"pool-ledger: error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    raise UsageError(f"unknown command {command}")


def _period(text: str) -> Any:
    from ledger.periods import parse_period

    try:
        return parse_period(text)
    except ValueError as exc:
        raise UsageError(f"{exc} (hint: write it like 2025-26-Q2)") from None


def print_problems(problems: Sequence[Problem], out: TextIO = sys.stderr) -> None:
    for p in problems:
        print(p, file=out)


def _progress_printer() -> Any:
    """A Rich progress bar on stderr when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,} rows"),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def update(ev: Any) -> None:
        if ev.file not in tasks:
            tasks[ev.file] = bar.add_task(f"{ev.stage} {ev.file}", total=None)
        bar.update(tasks[ev.file], completed=ev.rows, description=f"{ev.stage} {ev.file}")

    return bar, update


def _import(args: argparse.Namespace) -> int:
    from ledger.services.importing import import_files

    engine = _engine(args)
    bar, update = _progress_printer()
    if bar is not None:
        with bar:
            results = import_files(engine, args.files, args.operator, args.replace, args.dry_run, update)
    else:
        results = import_files(engine, args.files, args.operator, args.replace, args.dry_run)
    for r in results:
        print_problems(r.problems)
        if r.status == "imported":
            print(f"{r.path}: imported {r.message} as batch {r.batch_id}")
        elif r.status == "checked":
            print(f"{r.path}: checked, would import {r.message} (dry run: nothing written)")
        elif r.status == "unchanged":
            print(f"{r.path}: {r.message}")
        else:
            errors = sum(1 for p in r.problems if p.is_error)
            print(f"{r.path}: refused ({errors} error{'s' if errors != 1 else ''}); nothing written", file=sys.stderr)
    return EXIT_REFUSED if any(r.refused for r in results) else EXIT_OK


def _pools(args: argparse.Namespace) -> int:
    from ledger.money import fmt_money
    from ledger.services.pools import list_pools

    pools = list_pools(_engine(args))
    if args.json:
        print(json.dumps([p.as_json() for p in pools], indent=2))
        return EXIT_OK
    if not pools:
        print("No pools yet: import an agreement workbook (pool-ledger template agreement --out a.xlsx).")
        return EXIT_OK
    rows = [("Pool", "Arrangement", "Period", "Budget", "Spend", "Forecast", "Variance", "Closed")]
    for p in pools:
        rows.append((p.code, p.arrangement.replace("_", " "), p.period or f"{p.year} (no returns)",
                     fmt_money(p.budget), fmt_money(p.spend), fmt_money(p.forecast), fmt_money(p.variance),
                     "yes" if p.closed else "no"))
    _print_table(rows, right=(3, 4, 5, 6))
    return EXIT_OK


def _print_table(rows: list[tuple[str, ...]], right: tuple[int, ...] = ()) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _settle(args: argparse.Namespace) -> int:
    from ledger.services.settling import statement_document

    pool, period = args.pool.strip().upper(), _period(args.period)
    doc = statement_document(_engine(args), pool, period)
    if args.out:
        written = _write_report(args, period, None, pool)
        if written:
            return written
    if args.json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return EXIT_OK
    print_statement(doc)
    for p in doc.get("problems", []):
        print(f"{p['where']}: {p['severity']}: {p['message']}", file=sys.stderr)
    return EXIT_OK


def print_statement(doc: dict[str, Any]) -> None:
    """The statement for people, from its JSON document (live or as recorded at close)."""
    from ledger.money import fmt_money

    def m(text: str) -> str:
        return fmt_money(Decimal(text))

    t = doc["totals"]
    state = "closed: the statement recorded at close" if doc["closed"] else (
        "final (year end)" if doc["final"] else "year to date; variance shares are projections")
    print(f"{doc['name']} ({doc['pool']}), {doc['arrangement'].replace('_', ' ')}, {doc['period']} - {state}")
    print()
    keys = ("budget", "spend", "income", "net_spend", "forecast", "variance", "pool_cash", "carried_forward")
    _print_table([("Budget", "Spend", "Income", "Net spend", "Forecast", "Variance", "Pool cash", "Carried fwd"),
                  tuple(m(t[k]) for k in keys)], right=tuple(range(8)))
    print()
    rows = [("Partner", "Role", "Brought fwd", "Obligation", "Paid", "Transfers out", "Transfers in", "Balance")]
    for p in doc["partners"]:
        rows.append((p["partner"], p["role"], *(m(p[k]) for k in (
            "brought_forward", "obligation", "paid", "transfers_out", "transfers_in", "balance"))))
    _print_table(rows, right=(2, 3, 4, 5, 6, 7))
    print("\nBalance: positive, the partner owes; negative, the partner is owed.")
    for p in doc["partners"]:
        print(f"\n{p['partner']} {p.get('name', '')}")
        for name, value in p["items"].items():
            shown = value if "." in value and len(value.split(".")[1]) == 4 else m(value)
            print(f"  {name:<24} {shown:>18}  {p.get('explanations', {}).get(name, '')}")
    if doc.get("alliance"):
        a = doc["alliance"]
        print("\nAlliance: target {} actual {} variance {}; gainshare {} (withheld {}), painshare {}, "
              "commissioners bear {}".format(*(m(a[k]) for k in (
                  "target", "actual", "variance", "gainshare", "withheld", "painshare", "commissioners_bear"))))
    for s in doc.get("signoffs", []):
        print(f"\nSigned off by {s['partner']}: {s['name']}, {s['signed_at']} UTC")


def _report(args: argparse.Namespace) -> int:
    partner = args.partner.strip().upper() if args.partner else None
    return _write_report(args, _period(args.period), partner, None) or EXIT_OK


def _write_report(args: argparse.Namespace, period: Any, partner: str | None, pool: str | None) -> int:
    """Write the report workbook to --out; a non-zero exit code if it cannot be written."""
    from ledger.services.reporting import export_report

    if not args.out.lower().endswith(".xlsx"):
        raise UsageError(f"--out {args.out}: the report is an Excel workbook; name it .xlsx")
    path, report = export_report(_engine(args), period, args.out, partner, pool)
    print(f"wrote {path}: {len(report.pools)} pool{'s' if len(report.pools) != 1 else ''}, {report.period}"
          + (f", pack for {partner}" if partner else ""), file=sys.stderr if args.command == "settle" else sys.stdout)
    return 0


def _close(args: argparse.Namespace) -> int:
    from ledger.services.closing import close_period

    closed = close_period(_engine(args), args.pool.strip().upper(), _period(args.period), args.operator)
    print(f"closed {closed.pool} {closed.period}: statement recorded (figures hash {closed.figures_hash[:16]}...), "
          f"{closed.postings} obligation postings")
    return EXIT_OK


def _signoff(args: argparse.Namespace) -> int:
    from ledger.services.closing import sign_off

    print(sign_off(_engine(args), args.pool.strip().upper(), _period(args.period), args.partner.strip().upper(),
                   args.operator))
    return EXIT_OK


def _savings(args: argparse.Namespace) -> int:
    from ledger.money import fmt_money
    from ledger.services.savings import savings_report

    report = savings_report(_engine(args), _period(args.period))
    print_problems(report.problems)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
        return EXIT_OK
    print(f"Savings attribution, {report.period} (realised year to date; forecast from the latest return)\n")
    rows = [("Pool", "Partner", "Role", "Investment", "Gross", "Net", "Cashable", "Forecast net", "ROI")]
    for r in report.rows:
        b = r.benefit
        rows.append((r.pool, r.partner, r.role, fmt_money(r.investment), fmt_money(b.gross), fmt_money(b.net),
                     fmt_money(b.cashable), fmt_money(b.forecast_net),
                     "-" if r.roi is None else f"{r.roi * 100:.1f}%"))
    _print_table(rows, right=(3, 4, 5, 6, 7, 8))
    if report.matrix:
        investors = sorted({i for i, _ in report.matrix})
        beneficiaries = sorted({b for _, b in report.matrix})
        print("\nWrong pocket: who invested (rows) against whose budget benefited (columns), realised net")
        table = [("Investor", *beneficiaries)]
        for i in investors:
            table.append((i, *(fmt_money(report.matrix.get((i, b), Decimal(0))) for b in beneficiaries)))
        _print_table(table, right=tuple(range(1, len(beneficiaries) + 1)))
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from ledger.records import Arrangement
    from ledger.workbooks.templates import write

    arrangement = Arrangement(args.arrangement) if args.arrangement else None
    if not args.out.lower().endswith(".xlsx"):
        raise UsageError(f"--out {args.out}: the template is an Excel workbook; name it .xlsx")
    try:
        path = write(args.out, args.kind, arrangement)
    except OSError as exc:
        print(f"pool-ledger: error: cannot write {args.out}: {exc.strerror or exc} "
              "(hint: choose a file name in a folder you can write to)", file=sys.stderr)
        return EXIT_REFUSED
    print(f"wrote {path}: a blank {args.kind} workbook"
          + (f" for {arrangement.label} pools" if arrangement else " with every sheet")
          + "; example rows are on the Examples sheet")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from ledger.services.checking import check_books

    report = check_books(_engine(args))
    print_problems(report.problems)
    for line in report.summary:
        print(line)
    return EXIT_REFUSED if any(p.is_error for p in report.problems) else EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from ledger.services.demo import load_demo
    from ledger.store.db import demo_path, display_url, resolve_url

    url = resolve_url(args.db or str(demo_path()))
    engine, results = load_demo(url, fresh=args.db is None, operator=args.operator)
    for r in results:
        print_problems(r.problems)
        if r.refused:
            print(f"{r.path}: refused", file=sys.stderr)
    if any(r.refused for r in results):
        return EXIT_REFUSED
    if args.no_tui:
        print(display_url(url))
        return EXIT_OK
    return _tui(engine)


def _tui(engine: Any) -> int:
    from tui.app import run

    run(engine)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
