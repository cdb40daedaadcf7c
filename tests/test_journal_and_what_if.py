"""The journal a page at a time, and what-ifs that save nothing, on the sample pools.

1. ``journal_page`` walks by key: every posting once, in (batch, seq, leg) order.
2. Filters (partner, line, period, file) select exactly the matching transactions, whole.
3. Each posting's provenance names its file, Sheet!Cell, batch, operator and import time.
4. ``what_if``: no change moves nothing; a line's outturn or an alliance's total moves the
   obligations as SPEC 5.1 and 5.5 say; an unknown line is refused; nothing is written.
5. ``with_outturns`` / ``with_total_outturn`` as pure functions (hypothesis).

"""

from __future__ import annotations

import copy
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import text

from ledger.figures import SettlementInputs, YearToDate, line_outturns, with_outturns, with_total_outturn
from ledger.periods import FinancialYear, Period, parse_period
from ledger.problems import Source
from ledger.records import Agreement, Amounts, Arrangement, Line
from ledger.services import LedgerError
from ledger.services.closing import close_period
from ledger.services.demo import sample_files
from ledger.services.importing import import_files
from ledger.services.journal import JournalFilter, Page, Posting, journal_choices, journal_count, journal_page
from ledger.services.pool_view import WhatIf, what_if
from ledger.services.settling import inputs_for, settle_inputs
from ledger.store.db import open_engine, read_connection
from ledger.workbooks.templates import write
from sample_pools.build import swindon_cyp
from tests.conftest import table_counts

POOLS = ("AFC", "CRO-65", "ILF", "LAM-CAMHS", "STP-TPA", "SWN-CYP", "WHO")
OPERATOR = "A. Officer"
AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
Q2, Q4 = parse_period("2025-26-Q2"), parse_period("2025-26-Q4")


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    """The sample pools imported once, into a file each test copies."""
    path = tmp_path_factory.mktemp("samples") / "samples.db"
    eng = open_engine(f"sqlite:///{path}")
    results = import_files(eng, [str(p) for p in sample_files()], operator=OPERATOR, now=lambda: AT)
    assert not any(r.refused for r in results)
    eng.dispose()
    return path


@pytest.fixture
def loaded(engine, samples):
    """The test's own ledger (``engine``) holding the sample pools."""
    source = sqlite3.connect(samples)
    with engine.connect() as conn:
        source.backup(conn.connection.driver_connection)
    source.close()
    return engine


def walk(engine: Any, f: JournalFilter, size: int) -> list[Page]:
    pages: list[Page] = []
    after = None
    for _ in range(10_000):
        page = journal_page(engine, f, after=after, size=size)
        pages.append(page)
        if not page.more:
            return pages
        after = page.last
    raise AssertionError("the walk never ended")


def postings(pages: list[Page]) -> list[Posting]:
    return [p for page in pages for p in page.postings]


def sql(engine: Any, query: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


def all_keys(engine: Any, pool: str) -> list[tuple[int, int, int]]:
    """The pool's postings in journal order, asked of the tables directly."""
    return [tuple(r) for r in sql(engine, "SELECT p.batch_id, p.seq, p.leg FROM posting p JOIN txn t "
                                          "ON t.batch_id = p.batch_id AND t.seq = p.seq WHERE t.pool = :pool "
                                          "ORDER BY p.batch_id, p.seq, p.leg", pool=pool)]


def facts(engine: Any, pool: str) -> dict[tuple[int, int], Any]:
    """What the filters look at, by transaction."""
    rows = sql(engine, "SELECT t.batch_id, t.seq, t.partner, t.counterparty, t.line, t.year_start, t.quarter, "
                       "t.sheet, t.cell, b.file_name, b.operator, b.imported_at FROM txn t "
                       "JOIN batch b ON b.id = t.batch_id WHERE t.pool = :pool", pool=pool)
    return {(r.batch_id, r.seq): r for r in rows}


def balanced(ps: list[Posting]) -> bool:
    by_txn: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for p in ps:
        by_txn[p.key[:2]].append(p.amount)
    return all(len(v) >= 2 and sum(v) == 0 for v in by_txn.values())


# --------------------------------------------------------------------------------------------
# 1. paging by key
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3, 7, 200])
def test_walking_the_pages_visits_every_posting_once_in_journal_order(loaded, size):
    for pool in POOLS:
        f = JournalFilter(pool)
        pages = walk(loaded, f, size)
        keys = [p.key for p in postings(pages)]
        assert keys == all_keys(loaded, pool), pool
        assert len(keys) == len(set(keys)) == journal_count(loaded, f) > 0
        assert [page.more for page in pages] == [True] * (len(pages) - 1) + [False]
        assert all(len(page.postings) == size for page in pages[:-1])
        assert 0 < len(pages[-1].postings) <= size
        assert balanced(postings(pages))


def test_page_boundaries(loaded):
    f = JournalFilter("SWN-CYP")
    n = journal_count(loaded, f)
    exact = journal_page(loaded, f, size=n)
    assert len(exact.postings) == n and not exact.more
    short = journal_page(loaded, f, size=n - 1)
    assert short.more
    rest = journal_page(loaded, f, after=short.last, size=n)
    assert [p.key for p in rest.postings] == [exact.postings[-1].key] and not rest.more
    end = journal_page(loaded, f, after=exact.last)
    assert end.postings == () and not end.more and end.last is None
    assert journal_page(loaded, JournalFilter("NO-SUCH-POOL")) == Page((), False)


def test_a_page_may_start_at_any_key(loaded):
    """``after`` is a key, not a position: a page starts right after it, mid-transaction too."""
    keys = all_keys(loaded, "STP-TPA")
    for i in (0, 1, 17, len(keys) - 2):
        page = journal_page(loaded, JournalFilter("STP-TPA"), after=keys[i], size=5)
        assert [p.key for p in page.postings] == keys[i + 1:i + 6]
    before_all = journal_page(loaded, JournalFilter("STP-TPA"), after=(0, 0, 0), size=5)
    assert [p.key for p in before_all.postings] == keys[:5]


# --------------------------------------------------------------------------------------------
# 2. filters and choices
# --------------------------------------------------------------------------------------------

FILTERS = [
    ("STP-TPA", {"partner": "THR"}, lambda t: "THR" in (t.partner, t.counterparty)),
    ("CRO-65", {"partner": "CCCG"}, lambda t: "CCCG" in (t.partner, t.counterparty)),
    ("SWN-CYP", {"line": "CYP-HLTH"}, lambda t: t.line == "CYP-HLTH"),
    ("SWN-CYP", {"period": Q2}, lambda t: (t.year_start, t.quarter) == (2025, 2)),
    ("SWN-CYP", {"file": "return-2025-26-Q1"}, lambda t: Path(t.file_name).name == "return-2025-26-Q1.xlsx"),
    ("STP-TPA", {"partner": "THR", "period": parse_period("2025-26-Q3")},
     lambda t: "THR" in (t.partner, t.counterparty) and t.quarter == 3),
    ("ILF", {"line": "HOUSING", "file": "return-2025-26-Q4"}, lambda t: t.line == "HOUSING" and t.quarter == 4),
]


@pytest.mark.parametrize(("pool", "kw", "matches"), FILTERS, ids=[f"{p}-{'-'.join(k)}" for p, k, _ in FILTERS])
def test_a_filter_selects_exactly_the_matching_transactions_whole(loaded, pool, kw, matches):
    f = JournalFilter(pool, **kw)
    known = facts(loaded, pool)
    every = all_keys(loaded, pool)
    expected = [k for k in every if matches(known[k[:2]])]
    assert 0 < len(expected) < len(every)  # the filter matters
    got = postings(walk(loaded, f, size=3))
    assert [p.key for p in got] == expected
    assert journal_count(loaded, f) == len(expected)
    assert balanced(got)  # whole transactions: the legs of each sum to zero
    for p in got:
        if "line" in kw:
            assert p.line == kw["line"]
        if "period" in kw:
            assert p.period == str(kw["period"])
        if "file" in kw:
            assert kw["file"] in p.file_name


def test_a_filter_that_matches_nothing_is_an_empty_journal(loaded):
    for kw in ({"partner": "NOBODY"}, {"line": "NO-LINE"}, {"period": parse_period("2024-25-Q4")}, {"file": "nope"}):
        f = JournalFilter("SWN-CYP", **kw)
        assert journal_page(loaded, f) == Page((), False)
        assert journal_count(loaded, f) == 0


def test_the_file_filter_takes_percent_and_underscore_literally(loaded):
    assert journal_count(loaded, JournalFilter("SWN-CYP", file="return-2025-26-Q_")) == 0
    assert journal_count(loaded, JournalFilter("SWN-CYP", file="%")) == 0


def test_choices_list_the_partners_lines_periods_and_files(loaded):
    c = journal_choices(loaded, "SWN-CYP")
    quarters = [f"2025-26-Q{q}" for q in (1, 2, 3, 4)]
    assert c["partner"] == ["PCT", "SBC"]
    assert c["line"] == ["CYP-HLTH", "CYP-LAUNCH", "CYP-SOC"]
    assert c["period"] == quarters
    assert {f"return-{q}.xlsx" for q in quarters} <= set(c["file"])
    stp = journal_choices(loaded, "STP-TPA")
    assert set(stp["partner"]) == {"SMBC", "THR", "AGE", "FRG", "NAC", "REL", "SHO"}
    assert stp["line"] == sorted(["THR", "AGE", "FRG", "NAC", "REL", "SHO"])
    assert journal_choices(loaded, "NO-SUCH-POOL") == {"partner": [], "line": [], "period": [], "file": []}


def test_every_partner_line_and_period_choice_selects_postings(loaded):
    for pool in POOLS:
        c = journal_choices(loaded, pool)
        # partners come from the agreement: one that has not posted yet (ILF's ACADEMY) selects nothing
        posted = {p.partner for p in postings(walk(loaded, JournalFilter(pool), size=500)) if p.partner}
        assert posted <= set(c["partner"]), pool
        for line in c["line"]:
            assert journal_count(loaded, JournalFilter(pool, line=line)) > 0, (pool, line)
        for period in c["period"]:
            assert journal_count(loaded, JournalFilter(pool, period=parse_period(period))) > 0, (pool, period)


def test_every_file_choice_selects_postings(loaded):
    for pool in POOLS:
        for name in journal_choices(loaded, pool)["file"]:
            assert journal_count(loaded, JournalFilter(pool, file=name)) > 0, (pool, name)


# --------------------------------------------------------------------------------------------
# 3. provenance
# --------------------------------------------------------------------------------------------


def cell_amount(path: str, sheet: str, cell: str) -> Decimal:
    """The Amount on the row of ``cell`` in the workbook itself."""
    ws = load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    row = int("".join(ch for ch in cell if ch.isdigit()))
    return Decimal(str(rows[row - 1][list(rows[0]).index("Amount")]))


def test_each_posting_names_its_file_cell_batch_operator_and_import_time(loaded):
    known = facts(loaded, "SWN-CYP")
    ps = postings(walk(loaded, JournalFilter("SWN-CYP"), size=200))
    assert ps
    for p in ps:
        t = known[p.key[:2]]
        assert p.file == t.file_name and p.file_name == Path(t.file_name).name
        assert p.cell == f"{t.sheet}!{t.cell}"
        assert f"{p.file_name}:{t.sheet}!{t.cell}" in p.provenance
        assert f"batch {p.key[0]}" in p.provenance
        assert OPERATOR in p.provenance and p.operator == OPERATOR
        assert AT.isoformat() in p.provenance and p.imported_at == AT.isoformat()
        assert p.reverses_batch is None and "reverses" not in p.provenance
        # the cell is the row the money came from
        assert cell_amount(p.file, t.sheet, t.cell) == abs(p.amount)


def resubmit_swindon_q4(engine: Any, folder: Path) -> tuple[int, int, str]:
    """SBC sends its Q4 return again (--replace) with an extra first row: (old, new batch, old file)."""
    _, arrangement, data = swindon_cyp()["return-2025-26-Q4.xlsx"]
    data = copy.deepcopy(data)
    data["Spend"].insert(0, {"Date": data["Spend"][0]["Date"], "Line": "CYP-LAUNCH", "Amount": Decimal("5"),
                             "Reference": "late launch invoice"})
    path = write(folder / "return-2025-26-Q4-again.xlsx", "return", arrangement, data, examples=False)
    [old] = sql(engine, "SELECT id, file_name FROM batch WHERE pool = 'SWN-CYP' AND quarter = 4")
    [r] = import_files(engine, [str(path)], operator="R. Placer", replace=True)
    assert r.status == "imported", [str(p) for p in r.problems]
    return old.id, r.batch_id, old.file_name


def test_a_replacement_shows_its_reversals_in_the_journal(loaded, tmp_path):
    old, new, _ = resubmit_swindon_q4(loaded, tmp_path)
    ps = postings(walk(loaded, JournalFilter("SWN-CYP"), size=4))
    reversals = [p for p in ps if p.reverses_batch is not None]
    originals = [p for p in ps if p.key[0] == old]
    assert {p.key[0] for p in reversals} == {new} and {p.reverses_batch for p in reversals} == {old}
    assert sorted(p.amount for p in reversals) == sorted(-p.amount for p in originals)
    assert all(f"(batch {old})" in p.provenance and "reverses " in p.provenance and "R. Placer" in p.provenance for p in reversals)
    assert balanced(ps)
    assert [p.key for p in ps] == all_keys(loaded, "SWN-CYP")


def test_a_reversal_names_the_file_its_cell_is_in(loaded, tmp_path):
    old, _, old_file = resubmit_swindon_q4(loaded, tmp_path)
    reversals = [p for p in postings(walk(loaded, JournalFilter("SWN-CYP"), size=200)) if p.reverses_batch == old]
    assert reversals
    for p in reversals:
        assert f"reverses {Path(old_file).name}:{p.cell}" in p.provenance


def test_a_close_posts_obligations_that_name_the_close(loaded):
    before = journal_count(loaded, JournalFilter("SWN-CYP"))
    at = datetime(2026, 4, 20, 16, 0, tzinfo=UTC)
    closed = close_period(loaded, "SWN-CYP", parse_period("2025-26-Q1"), operator="C. Loser", now=lambda: at)
    ps = postings(walk(loaded, JournalFilter("SWN-CYP"), size=5))
    mine = [p for p in ps if p.key[0] == closed.batch_id]
    assert len(ps) == before + len(mine) and len(mine) == 2 * closed.postings > 0
    assert all(p.kind == "obligation" and p.period == "2025-26-Q1" for p in mine)
    for p in mine:
        assert "close of SWN-CYP 2025-26-Q1" in p.provenance and "C. Loser" in p.provenance
        assert at.isoformat() in p.provenance
    assert balanced(ps)
    assert journal_count(loaded, JournalFilter("SWN-CYP", file="close of")) == len(mine)


# --------------------------------------------------------------------------------------------
# 4. what-if
# --------------------------------------------------------------------------------------------


def changes(w: WhatIf) -> dict[str, Decimal]:
    return {e.partner: e.change for e in w.exposures}


def then(w: WhatIf) -> dict[str, Decimal]:
    return {e.partner: e.exposure_then for e in w.exposures}


def inputs(engine: Any, pool: str, period: Period) -> SettlementInputs:
    with read_connection(engine) as conn:
        return inputs_for(conn, pool, period)


@pytest.mark.parametrize("period", ["2025-26-Q1", "2025-26-Q2", "2025-26-Q4"])
def test_no_change_moves_nothing(loaded, period):
    p = parse_period(period)
    for pool in POOLS:
        now = {o.line: o.amount for o in line_outturns(inputs(loaded, pool, p))[0]}
        for w in (what_if(loaded, pool, p), what_if(loaded, pool, p, outturns=now),
                  what_if(loaded, pool, p, total=sum(now.values(), Decimal(0)))):
            assert w.exposures and all(e.change == 0 for e in w.exposures), pool
            assert all(e.balance_then == e.balance_now for e in w.exposures), pool
            assert w.outturn_then == w.outturn_now and w.problems == ()


def test_a_lead_body_overspend_is_split_by_overspend_shares(loaded):
    """Warm Homes Oldham (no caps, shares 50/30/20 by contribution): £100,000 more on INSUL at Q4."""
    w = what_if(loaded, "WHO", Q4, outturns={"INSUL": Decimal("900000")})
    assert w.outturn_then - w.outturn_now == Decimal("100000")
    assert changes(w) == {"OMBC-PH": Decimal("50000"), "OCCG": Decimal("30000"), "FCHO": Decimal("20000")}
    assert all(e.balance_then - e.balance_now == e.change for e in w.exposures)


def test_swindon_60_40_below_the_cap_and_the_host_past_it(loaded):
    """Swindon (SPEC worked example A): V = 450,000 at Q4 and the PCT's 40% is capped at 150,000."""
    soc = Decimal("17040000")  # CYP-SOC's net spend for the year
    past_cap = what_if(loaded, "SWN-CYP", Q4, outturns={"CYP-SOC": soc + 100_000})
    assert sum(changes(past_cap).values()) == Decimal("100000")
    assert changes(past_cap) == {"SBC": Decimal("100000"), "PCT": Decimal("0")}  # the host bears the residual
    # from V = 0 to V = 100,000 no cap binds: 60/40 by contribution
    nil = then(what_if(loaded, "SWN-CYP", Q4, outturns={"CYP-SOC": soc - 450_000}))
    up = then(what_if(loaded, "SWN-CYP", Q4, outturns={"CYP-SOC": soc - 350_000}))
    assert nil == {"SBC": Decimal("16800000"), "PCT": Decimal("11200000")}  # just the contributions due
    assert {k: up[k] - nil[k] for k in up} == {"SBC": Decimal("60000"), "PCT": Decimal("40000")}


@pytest.mark.parametrize(("pool", "kw"), [("WHO", {"outturns": {"INSUL": Decimal("900000")}}),
                                          ("STP-TPA", {"total": Decimal("3240000")})])
def test_a_forecast_what_if_before_q4_moves_the_projected_exposure(loaded, pool, kw):
    w = what_if(loaded, pool, Q2, **kw)
    assert w.outturn_then != w.outturn_now
    assert any(e.change for e in w.exposures)


TARGETS = {"THR": 900_000, "AGE": 600_000, "FRG": 300_000, "NAC": 450_000, "REL": 300_000, "SHO": 450_000}
TOC = sum(TARGETS.values())
# SPEC 5.5 with worked example B's bands (gain 0-5% 50%, 5%+ 25%; pain 0-5% 50%, 5%+ 0%) and KPI modifier 0.8:
# 3,240,000: overrun 240,000, raw pain 150,000 x 50% = 75,000 (within the fees, 150,000): P = 75,000.
# 2,700,000: underrun 300,000, raw gain 150,000 x 50% + 150,000 x 25% = 112,500; G = 112,500 x 0.8 = 90,000.
ALLIANCE = {Decimal("3240000"): (Decimal(0), Decimal("75000")), Decimal("2700000"): (Decimal("90000"), Decimal(0))}


@pytest.mark.parametrize("total", sorted(ALLIANCE))
def test_the_alliance_total_outturn_moves_gain_and_pain_as_spec_says(loaded, total):
    gain, pain = ALLIANCE[total]
    w = what_if(loaded, "STP-TPA", Q4, total=total)
    assert w.outturn_then == total
    # providers share by target (no gain split given); the spread keeps each provider's share of the cost
    expected = {j: -(total * t / TOC + gain * t / TOC - pain * t / TOC) for j, t in TARGETS.items()}
    expected["SMBC"] = total + gain - pain  # the commissioner funds AOC + G - P
    assert then(w) == expected
    assert sum(changes(w).values()) == 0  # balances sum to zero (SPEC 5.5)
    statement = settle_inputs(with_total_outturn(inputs(loaded, "STP-TPA", Q4), total))
    items = {p.partner: p for p in statement.partners}
    for j, t in TARGETS.items():
        assert items[j].amount("gainshare") == gain * t / TOC
        assert items[j].amount("painshare") == pain * t / TOC


def test_before_q4_the_alliance_total_moves_the_projections_only(loaded):
    statement = settle_inputs(with_total_outturn(inputs(loaded, "STP-TPA", Q2), Decimal("3240000")))
    assert statement.totals.forecast == Decimal("3240000")
    for p in statement.partners:
        if p.partner in TARGETS:
            assert p.amount("projected_painshare") == Decimal("75000") * TARGETS[p.partner] / TOC
            assert p.amount("projected_gainshare") == 0
            assert p.amount("painshare") == p.amount("gainshare") == 0  # payable at Q4


def test_an_unknown_line_or_pool_is_refused(loaded):
    with pytest.raises(LedgerError, match="NOPE"):
        what_if(loaded, "SWN-CYP", Q4, outturns={"NOPE": Decimal("1"), "CYP-SOC": Decimal("1")})
    with pytest.raises(LedgerError, match="NO-POOL"):
        what_if(loaded, "NO-POOL", Q4)


def test_a_what_if_writes_nothing(loaded):
    before = table_counts(loaded)
    what_if(loaded, "SWN-CYP", Q4, outturns={"CYP-SOC": Decimal("20000000")})
    what_if(loaded, "STP-TPA", Q2, total=Decimal("3240000"))
    what_if(loaded, "WHO", Q4, outturns={"INSUL": Decimal("0")}, total=Decimal("1"))
    with pytest.raises(LedgerError):
        what_if(loaded, "SWN-CYP", Q4, outturns={"NOPE": Decimal("1")})
    assert table_counts(loaded) == before
    assert what_if(loaded, "SWN-CYP", Q4).outturn_now == Decimal("28450000")


# --------------------------------------------------------------------------------------------
# 5. with_outturns and with_total_outturn, pure
# --------------------------------------------------------------------------------------------

Y = FinancialYear(2025)


def pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


@st.composite
def books(draw: st.DrawFn) -> SettlementInputs:
    n = draw(st.integers(1, 6))
    codes = [f"L{i}" for i in range(n)]
    amount = st.integers(0, 10**11).map(pounds)
    budgets = draw(st.lists(amount, min_size=n, max_size=n))
    lines = tuple(Line(c, f"line {c}", b, Source("generated.xlsx", "Lines"))
                  for c, b in zip(codes, budgets, strict=True))
    ag = Agreement("GEN", "Generated pool", Arrangement.LEAD_BODY, Y, Source("generated.xlsx"), lines=lines)
    ytd = YearToDate(
        spend=Amounts.of(draw(st.dictionaries(st.sampled_from(codes), amount)).items()),
        income=Amounts.of(draw(st.dictionaries(st.sampled_from(codes), st.integers(0, 10**9).map(pounds))).items()),
        forecasts=Amounts.of(draw(st.dictionaries(st.sampled_from(codes), st.integers(-10**9, 10**11).map(pounds)))
                             .items()),
    )
    return SettlementInputs(agreement=ag, period=Y.period(draw(st.integers(1, 4))), ytd=ytd)


def outturns(inputs: SettlementInputs) -> dict[str, Decimal]:
    return {o.line: o.amount for o in line_outturns(inputs)[0]}


@settings(max_examples=150, deadline=None)
@given(books(), st.integers(-10**12, 10**12).map(pounds))
def test_with_total_outturn_makes_the_lines_sum_to_the_total(inputs, total):
    now = outturns(inputs)
    assume(any(now.values()) or any(ln.budget for ln in inputs.agreement.lines))  # all-nil: see the test below
    then = outturns(with_total_outturn(inputs, total))
    assert sum(then.values(), Decimal(0)) == total
    assert list(then) == list(now)
    assert all(v == v.quantize(Decimal("0.01")) for v in then.values())
    if total == sum(now.values(), Decimal(0)):
        assert then == now


@settings(max_examples=150, deadline=None)
@given(books(), st.data())
def test_with_outturns_sets_the_chosen_lines_and_keeps_the_rest(inputs, data):
    now = outturns(inputs)
    chosen = data.draw(st.dictionaries(st.sampled_from(sorted(now)), st.integers(-10**9, 10**11).map(pounds)))
    changed = with_outturns(inputs, chosen)
    assert outturns(changed) == {**now, **chosen}
    assert changed.agreement is inputs.agreement and changed.period == inputs.period
    assert outturns(with_outturns(inputs, {})) == now


def test_with_total_outturn_reaches_the_total_when_every_line_is_nil():
    lines = tuple(Line(c, c, Decimal(0), Source("generated.xlsx", "Lines")) for c in ("A", "B"))
    ag = Agreement("GEN", "Generated pool", Arrangement.ALLIANCE, Y, Source("generated.xlsx"), lines=lines)
    inputs = SettlementInputs(agreement=ag, period=Y.period(1), ytd=YearToDate())
    assert sum(outturns(with_total_outturn(inputs, Decimal("1000"))).values()) == Decimal("1000")
