"""Bad cells and bad workbooks: refused with a located, hinted message, and nothing written.

FORMATS section 1 ("Reading cells"), and the agreement and return mistakes of
sections 2-3 that the importer checks. A refusal is checked three ways: the
file's status is ``refused``, one problem line reads
``path:Sheet!Cell: error: ... (hint: ...)`` at the expected place, and
``table_counts`` is the same before and after (for agreements the ledger starts
empty or holds example A; for returns it holds example A's agreement).

Layout of the filled templates (lead body) used below:
  Pool      B2 Code, B3 Name, B4 Arrangement, B5 Financial year, B6 Host,
            B7 Underspend, B8 Savings share %, B9 Savings share basis
  Partners  A Partner, B Name, C Kind, D Role, E Contribution, F Overspend share %,
            G Underspend share %, H Cap        (row 2 SBC, row 3 PCT)
  Lines     A Line, B Name, C Budget           (row 2 CYP-SOC, row 3 CYP-HLTH)
  Return    B2 Pool, B3 Period, B4 Submitted by
  Spend     A Date, B Line, C Amount, D Reference, E Description, F Paid by, G Corrects period
  Contributions  A Date, B Partner, C Amount, D Reference
  Transfers A Date, B From, C To, D Amount, E Reference
  Forecast  A Line, B Forecast outturn
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904, to_excel
from sqlalchemy import text

from ledger.records import Arrangement
from ledger.services.importing import FileResult, import_files
from ledger.workbooks.templates import write
from tests.conftest import a_return, example_a_agreement, run_cli, table_counts

POOL, Q1 = "SWN-CYP", "2025-26-Q1"
MAY_15 = date(2025, 5, 15)
HINTED = re.compile(r": error: .+ \(hint: .+\)$")
LINE_FORM = re.compile(r"^(?P<path>[^:]+):(?P<sheet>[^!:]+)!(?P<cell>[A-Z]+[0-9]+): error: .+ \(hint: .+\)$")


# --- helpers ---------------------------------------------------------------------------------


def do_import(engine: Any, *paths: str | Path, replace: bool = False) -> list[FileResult]:
    return import_files(engine, [str(p) for p in paths], operator="tester", replace=replace)


def one(engine: Any, path: str | Path, replace: bool = False) -> FileResult:
    [res] = do_import(engine, path, replace=replace)
    return res


def lines(res: FileResult) -> list[str]:
    return [str(p) for p in res.problems]


def errors(res: FileResult) -> list[str]:
    return [str(p) for p in res.problems if p.is_error]


def problem_at(res: FileResult, where: str, severity: str, phrase: str) -> str:
    """The problem line at exactly ``where`` (``path:Sheet!A1``) of that severity that mentions ``phrase``."""
    prefix = f"{where}: {severity}: "
    found = [s for s in lines(res) if s.startswith(prefix) and phrase in s]
    assert found, f"expected a {severity} at {where} mentioning {phrase!r}; got:\n" + "\n".join(lines(res))
    return found[0]


def assert_refused(engine: Any, path: str, where: str, phrase: str, replace: bool = False) -> str:
    """Import ``path``: refused, with a hinted error at ``path + where`` naming ``phrase``; nothing written."""
    before = table_counts(engine)
    res = one(engine, path, replace)
    assert res.status == "refused" and res.refused, lines(res)
    line = problem_at(res, f"{path}{where}", "error", phrase)
    assert HINTED.search(line), f"no hint in: {line}"
    assert table_counts(engine) == before
    return line


def assert_imported(engine: Any, path: str, replace: bool = False) -> FileResult:
    res = one(engine, path, replace)
    assert res.status == "imported", lines(res)
    assert not errors(res)
    return res


class Fmt(NamedTuple):
    """A value with the number format its cell should have."""

    value: Any
    number_format: str


def edit(path: str, change: Callable[[Any], None]) -> str:
    """Open a saved workbook with openpyxl, change it, save it in place."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def patch(path: str, cells: dict[str, Any]) -> str:
    """Set cells (``"Sheet!A1": value`` or ``Fmt(value, format)``); a plain value gets the General format.

    openpyxl writes text starting with ``=`` as a formula with no cached value, as Excel never calculated it.
    """

    def change(wb: Any) -> None:
        for ref, value in cells.items():
            sheet, coord = ref.split("!")
            cell = wb[sheet][coord]
            v = value if isinstance(value, Fmt) else Fmt(value, "General")
            cell.value = v.value
            cell.number_format = v.number_format

    return edit(path, change)


def cache_formula(path: str, formula: str, cached: str, cell_type: str | None = None) -> str:
    """Give ``=formula`` the cached value Excel saves with it (openpyxl writes ``<v />``);
    ``cell_type`` sets the cell's ``t`` attribute (``e`` for an error value such as #DIV/0!)."""
    src = Path(path)
    tmp = src.with_name(src.name + ".tmp")
    hits = 0
    pattern = re.compile(rb"(<c [^>]*?)\s*(/?)>(<f>" + re.escape(formula.encode()) + rb"</f>)<v\s*/>")
    typed = f' t="{cell_type}"'.encode() if cell_type else b""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                new = pattern.sub(lambda m: m[1] + typed + b">" + m[3] + b"<v>" + cached.encode() + b"</v>", data)
                hits += new != data
                data = new
            zout.writestr(item, data)
    assert hits == 1, "the formula was not found in the sheet XML"
    tmp.replace(src)
    return path


def raw_workbook(path: Path, sheets: dict[str, list[list[Any]]], epoch: Any = None) -> str:
    """A workbook written cell by cell with openpyxl (no template): for layouts the fixture cannot make."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if epoch is not None:
        wb.epoch = epoch
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return str(path)


def spend(**over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"Date": MAY_15, "Line": "CYP-SOC", "Amount": Decimal("1000.00"), "Reference": "INV-1"}
    row.update(over)
    return row


def q1_return(*spend_rows: dict[str, Any], by: str = "SBC", **sheets: Any) -> dict[str, Any]:
    data = a_return(POOL, Q1, by, **sheets)
    if spend_rows:
        data["Spend"] = list(spend_rows)
    return data


def query(engine: Any, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql)))


def spend_by_reference(engine: Any) -> dict[str, tuple[str, int]]:
    """reference -> (date, amount in pence) of the spend rows posted."""
    rows = query(engine, "select reference, date, amount from txn where kind = 'spend'")
    return {r.reference: (r.date, r.amount) for r in rows}


@pytest.fixture
def agreed(engine: Any, workbook: Callable[..., str]) -> str:
    """The ledger holds example A's agreement (SWN-CYP 2025-26, lead body, SBC host, PCT contributor)."""
    path = workbook("agreement-a.xlsx", "agreement", example_a_agreement())
    assert_imported(engine, path)
    return path


@pytest.fixture
def agreement_file(workbook: Callable[..., str]) -> Callable[..., str]:
    """Example A's agreement with some cells changed: ``agreement_file(**{"Partners!E3": "lots"})``."""

    def make(name: str = "agreement.xlsx", **cells: Any) -> str:
        path = workbook(name, "agreement", example_a_agreement())
        return patch(path, cells) if cells else path

    return make


@pytest.fixture
def return_file(workbook: Callable[..., str]) -> Callable[..., str]:
    """A Q1 return from SBC with one spend row (CYP-SOC, £1,000.00 on 15/05/2025), then cells changed."""

    def make(name: str = "return.xlsx", **cells: Any) -> str:
        path = workbook(name, "return", q1_return(spend()))
        return patch(path, cells) if cells else path

    return make


# --- 1. Sheet and header names ---------------------------------------------------------------


class TestNames:
    """FORMATS 1: names match case-insensitively ignoring spaces, _, - and a trailing % or (£);
    two that normalise alike are an error; unknown ones are a warning; a missing required one an error."""

    @pytest.mark.parametrize("overspend",
                             ["Overspend share %", "overspend_share", "OVERSPEND SHARE", "over-spend share%"])
    def test_loosely_written_sheet_names_and_headers_are_read(self, engine, tmp_path, overspend):
        path = raw_workbook(tmp_path / "loose.xlsx", {
            "POOL": [["code", "swn-cyp"], ["NAME", "Swindon"], ["arrangement", "Lead-Body"],
                     ["financial_year", "2025/26"], [" Host ", "sbc"]],
            "partners": [["PARTNER", " name ", "KIND", "role", "Contribution (£)", overspend, "under_spend-share %"],
                         ["SBC", "Swindon Borough Council", "Council", "HOST", 16800000, 60, "60%"],
                         ["PCT", "Swindon PCT", "NHS commissioner", "Contributor", "£11,200,000.00", 40, "40%"]],
            "LINES": [["LINE", "Name", "budget(£)"], ["CYP-SOC", "Social care", 16800000],
                      ["CYP-HLTH", "Health", 11200000]],
        })
        res = assert_imported(engine, path)
        assert lines(res) == []
        members = {r.partner: r for r in query(engine, "select partner, role, contribution, overspend_share, "
                                                       "underspend_share from member")}
        assert members["PCT"].contribution == 1_120_000_000
        assert members["PCT"].role == "contributor"
        assert Decimal(members["SBC"].overspend_share) == 60
        assert Decimal(members["PCT"].underspend_share) == 40
        assert [r.code for r in query(engine, "select code from pool")] == ["SWN-CYP"]

    def test_two_headers_that_normalise_alike_are_an_error(self, engine, agreement_file):
        path = agreement_file(**{"Partners!I1": "contribution (£)", "Partners!I2": 1, "Partners!I3": 2})
        line = assert_refused(engine, path, ":Partners!I1", "the header 'contribution (£)' is the same column as E1")
        assert "remove or rename" in line

    def test_two_sheets_that_normalise_alike_are_an_error(self, engine, agreed, return_file):
        def second_spend_sheet(wb: Any) -> None:
            wb.copy_worksheet(wb["Spend"]).title = "spend_"

        path = edit(return_file(), second_spend_sheet)
        before = table_counts(engine)
        res = one(engine, path)
        assert res.refused
        line = problem_at(res, path, "error", "are the same sheet 'Spend'")
        assert HINTED.search(line)
        assert table_counts(engine) == before

    def test_unknown_column_is_a_warning_and_the_file_imports(self, engine, agreement_file):
        path = agreement_file(**{"Partners!I1": "Notes", "Partners!I2": "anything"})
        res = assert_imported(engine, path)
        problem_at(res, f"{path}:Partners!I1", "warning", "'Notes' is not a column of Partners; ignored")
        assert table_counts(engine)["member"] == 2

    def test_unknown_sheet_is_a_warning_and_the_file_imports(self, engine, agreement_file):
        # junk on a sheet the import does not read, even a formula never calculated, is not looked at
        path = edit(agreement_file(), lambda wb: wb.create_sheet("Scratch").append(["£ lots", "=1+"]))
        res = assert_imported(engine, path)
        problem_at(res, f"{path}:Scratch", "warning", "not one the import reads; ignored")

    def test_column_and_sheet_not_for_the_arrangement_are_warnings(self, engine, agreed, agreement_file, workbook):
        path = agreement_file("jv-columns.xlsx", **{"Partners!I1": "Ownership %", "Partners!I2": 50, "Partners!I3": 50,
                                                    "Pool!B2": "SWN-CYP2"})
        res = assert_imported(engine, path)
        problem_at(res, f"{path}:Partners!I1", "warning", "Ownership % does not apply to lead body pools; ignored")
        ret = workbook("kpis.xlsx", "return", q1_return(spend(), KPIs=[{"KPI": "SEEN", "Actual": 91}]),
                       arrangement=None)
        res = assert_imported(engine, ret)
        problem_at(res, f"{ret}:KPIs", "warning", "sheet KPIs does not apply to lead body pools; ignored")

    def test_ignored_sheet_and_column_warnings_have_a_hint(self, engine, agreement_file):
        path = agreement_file(**{"Partners!I1": "Notes"})
        path = edit(path, lambda wb: wb.create_sheet("Scratch").append(["x"]))
        res = assert_imported(engine, path)
        for where in (f"{path}:Partners!I1", f"{path}:Scratch"):
            assert "(hint: " in problem_at(res, where, "warning", "ignored")

    def test_examples_sheet_is_always_ignored(self, engine, tmp_path):
        path = str(write(tmp_path / "with-examples.xlsx", "agreement", Arrangement.LEAD_BODY, example_a_agreement(),
                         examples=True))
        path = patch(path, {"Examples!A40": "not money", "Examples!B40": "=1+"})
        res = assert_imported(engine, path)
        assert lines(res) == []

    def test_missing_required_sheet(self, engine, agreement_file):
        path = edit(agreement_file(), lambda wb: wb.remove(wb["Partners"]))
        assert_refused(engine, path, "", "the required sheet 'Partners' is missing")

    def test_missing_required_column(self, engine, agreement_file):
        path = agreement_file(**{"Partners!D1": None})
        assert_refused(engine, path, ":Partners", "the required column 'Role' is missing")

    def test_missing_required_column_of_a_return(self, engine, agreed, return_file):
        path = return_file(**{"Spend!C1": "Amount paid"})
        assert_refused(engine, path, ":Spend", "the required column 'Amount' is missing")

    def test_missing_required_field_of_a_key_value_sheet(self, engine, agreement_file):
        path = edit(agreement_file(), lambda wb: wb["Pool"].delete_rows(3))  # the Name row
        assert_refused(engine, path, ":Pool", "the field 'Name' is missing")


# --- 1. Layout: header row, blank rows, key/value sheets ---------------------------------------


class TestLayout:
    """FORMATS 1: the header is the first non-empty row; blank and all-space rows are skipped;
    key/value sheets have field in A and value in B, with an optional ``Field | Value`` header."""

    def agreement_rows(self, partners_top: list[list[Any]]) -> dict[str, list[list[Any]]]:
        return {
            "Pool": [["Code", POOL], ["Name", "Swindon"], ["Arrangement", "lead body"], ["Financial year", "2025-26"]],
            "Partners": [*partners_top,
                         ["Partner", "Name", "Kind", "Role", "Contribution"],
                         ["SBC", "Swindon Borough Council", "council", "host", 16800000],
                         [None, None, None, None, None],
                         ["   ", "  ", None, None, None],
                         ["PCT", "Swindon PCT", "nhs_commissioner", "contributor", 11200000]],
            "Lines": [["Line", "Name", "Budget"], ["CYP-SOC", "Social care", 28000000]],
        }

    def test_header_is_the_first_non_empty_row_and_blank_rows_are_skipped(self, engine, tmp_path):
        path = raw_workbook(tmp_path / "gaps.xlsx", self.agreement_rows([[None], ["  "]]))
        res = assert_imported(engine, path)
        assert lines(res) == []
        assert {r.partner for r in query(engine, "select partner from member")} == {"SBC", "PCT"}

    def test_a_bad_cell_below_a_late_header_is_located_at_its_own_row(self, engine, tmp_path):
        rows = self.agreement_rows([[None], [None]])
        rows["Partners"][-1][4] = "lots"  # PCT's contribution, on row 7
        path = raw_workbook(tmp_path / "gaps.xlsx", rows)
        assert_refused(engine, path, ":Partners!E7", "Contribution: 'lots' is not money")

    @pytest.mark.parametrize("header", [None, ("Field", "Value"), ("FIELD", " value ")])
    def test_key_value_sheet_with_or_without_a_field_value_header(self, engine, tmp_path, header):
        rows = self.agreement_rows([])
        if header:
            rows["Pool"].insert(0, list(header))
        path = raw_workbook(tmp_path / "kv.xlsx", rows)
        res = assert_imported(engine, path)
        assert lines(res) == []

    def test_a_field_given_twice_is_an_error(self, engine, tmp_path):
        rows = self.agreement_rows([])
        rows["Pool"].append(["code", "OTHER"])  # row 5
        path = raw_workbook(tmp_path / "kv.xlsx", rows)
        assert_refused(engine, path, ":Pool!A5", "Code is given twice (also at A1)")

    def test_unknown_field_is_a_warning(self, engine, tmp_path):
        rows = self.agreement_rows([])
        rows["Pool"].append(["Colour", "blue"])  # row 5
        path = raw_workbook(tmp_path / "kv.xlsx", rows)
        res = assert_imported(engine, path)
        problem_at(res, f"{path}:Pool!A5", "warning", "'Colour' is not a field of Pool; ignored")


# --- 1. Blank required values ------------------------------------------------------------------


class TestBlankRequired:
    """FORMATS 1-2: a blank required value (a code, a name, a required amount) is an error at its cell."""

    @pytest.mark.parametrize(
        ("cell", "phrase"),
        [
            ("Pool!B3", "Name is required"),
            ("Pool!B5", "Financial year is required"),
            ("Partners!A3", "Partner is required"),
            ("Partners!B3", "Name is required"),
            ("Partners!D3", "Role is required"),
            ("Partners!E3", "Contribution is required"),  # required for a lead body's contributor
            ("Lines!C3", "Budget is required"),
            ("Partners!E3=   ", "Contribution is required"),  # only spaces is blank
        ],
    )
    def test_blank_required_agreement_value(self, engine, agreement_file, cell, phrase):
        ref, _, value = cell.partition("=")
        path = agreement_file(**{ref: value or None})
        assert_refused(engine, path, f":{ref}", phrase)

    @pytest.mark.parametrize(("cell", "phrase"), [("Spend!A2", "Date is required"), ("Spend!B2", "Line is required"),
                                                  ("Spend!C2", "Amount is required"),
                                                  ("Return!B4", "Submitted by is required")])
    def test_blank_required_return_value(self, engine, agreed, return_file, cell, phrase):
        path = return_file(**{cell: None})
        assert_refused(engine, path, f":{cell}", phrase)


# --- 1. Codes -----------------------------------------------------------------------------------


class TestCodes:
    """FORMATS 1: codes are trimmed and upper-cased, then must match [A-Z0-9_-]{1,16}."""

    @pytest.mark.parametrize("code", ["ABCDEFGHIJKLMNOPQ", "PC T", "PCT!", "P.C.T", "PCT£", "ÄBC", 1.5, True])
    def test_bad_partner_code(self, engine, agreement_file, code):
        path = agreement_file(**{"Partners!A3": code})
        line = assert_refused(engine, path, ":Partners!A3", "is not a valid partner code")
        assert "1 to 16 letters" in line

    def test_bad_line_code_in_a_return(self, engine, agreed, return_file):
        path = return_file(**{"Spend!B2": "CYP SOC"})
        assert_refused(engine, path, ":Spend!B2", "'CYP SOC' is not a valid line code")

    def test_sixteen_characters_is_the_longest_code(self, engine, agreement_file):
        path = agreement_file(**{"Lines!A3": "ABCDEFGHIJKLMNOP"})
        assert_imported(engine, path)
        assert "ABCDEFGHIJKLMNOP" in {r.code for r in query(engine, "select code from line")}

    def test_lower_case_codes_with_spaces_are_trimmed_and_upper_cased(self, engine, workbook):
        ag = example_a_agreement(Code=" swn-cyp ", Host="sbc")
        ag["Partners"][1]["Partner"] = " pct "
        ag["Lines"][0]["Line"] = "cyp-soc"
        assert_imported(engine, workbook("lower.xlsx", "agreement", ag))
        assert {r.code for r in query(engine, "select code from partner")} == {"SBC", "PCT"}
        assert {r.code for r in query(engine, "select code from line")} == {"CYP-SOC", "CYP-HLTH"}
        ret = workbook("lower-return.xlsx", "return",
                       a_return("swn-cyp", Q1, "sbc", Spend=[spend(Line="cyp-soc", **{"Paid by": "pct"})]))
        assert_imported(engine, ret)
        assert [(r.line, r.partner) for r in query(engine, "select line, partner from txn")] == [("CYP-SOC", "PCT")]


# --- 1. Money -----------------------------------------------------------------------------------

MONEY_TEXT = {
    "£1,234.56": 123456,
    "£ 1,234.56": 123456,
    "1,234.56": 123456,
    "-£5": -500,
    "£-5": -500,
    "(1,234.56)": -123456,
    "(£12.5)": -1250,
    " 1234 ": 123400,
    "0": 0,
}
MONEY_NUMBERS = {"float-noise": (0.1 + 0.2, 30), "float": (1234.5, 123450), "int": (7, 700),
                 "negative": (-12.34, -1234), "big": (16800000.01, 1680000001)}


class TestMoney:
    """FORMATS 1: money is a number or text like £1,234.56 / (1,234.56), at most two decimals; float
    noise is forgiven, a float off the penny is not; booleans and other text are errors."""

    def test_every_accepted_form_imports_to_the_right_pence(self, engine, agreed, workbook):
        assert 0.1 + 0.2 != 0.3  # the float really is noisy
        rows = [spend(Amount=form, Reference=f"T{i}") for i, form in enumerate(MONEY_TEXT)]
        rows += [spend(Amount=v, Reference=name) for name, (v, _) in MONEY_NUMBERS.items()]
        assert_imported(engine, workbook("money.xlsx", "return", q1_return(*rows)))
        got = spend_by_reference(engine)
        assert {ref: pence for ref, (_, pence) in got.items()} == {
            **{f"T{i}": pence for i, pence in enumerate(MONEY_TEXT.values())},
            **{name: pence for name, (_, pence) in MONEY_NUMBERS.items()},
        }

    @pytest.mark.parametrize(
        ("value", "phrase"),
        [
            ("1,234.567", "'1,234.567' has more than two decimals"),
            ("£0.001", "'£0.001' has more than two decimals"),
            (1234.567, "1234.567 is not a whole number of pence"),
            (0.005, "0.005 is not a whole number of pence"),
            (True, "True is not money"),
            (False, "False is not money"),
            ("lots", "'lots' is not money"),
            ("£1.234,56", "'£1.234,56' is not money"),
            ("12 pounds", "'12 pounds' is not money"),
            ("1,23,456", "'1,23,456' is not money"),
            ("$5", "'$5' is not money"),
            ("--5", "'--5' has more than one sign"),
            ("(-5)", "'(-5)' has more than one sign"),
            ("-£-5", "'-£-5' has more than one sign"),
        ],
    )
    def test_bad_money_is_refused(self, engine, agreed, return_file, value, phrase):
        assert_refused(engine, return_file(**{"Spend!C2": value}), ":Spend!C2", f"Amount: {phrase}")

    @pytest.mark.parametrize(("form", "pence"), [("£1,234.56", 123456), ("£ 1,234.56", 123456), ("1,234.56", 123456),
                                               (0.1 + 0.2, 30), (1234.5, 123450), ("0", 0)])
    def test_accepted_forms_in_an_agreement(self, engine, agreement_file, form, pence):
        assert_imported(engine, agreement_file(**{"Partners!H3": form}))
        assert query(engine, "select cap from member where partner = 'PCT'")[0].cap == pence

    @pytest.mark.parametrize("form", ["-£5", "£-5", "(5)"])
    def test_negative_forms_in_an_agreement_read_negative(self, engine, agreement_file, form):
        assert_refused(engine, agreement_file(**{"Partners!H3": form}), ":Partners!H3", "Cap -5.00 is negative")

    def test_amount_too_large_for_the_ledger(self, engine, agreed, return_file):
        assert_refused(engine, return_file(**{"Spend!C2": "999,999,999,999,999,999.99"}), ":Spend!C2", "Amount")

    def test_bad_money_in_an_agreement(self, engine, agreement_file):
        line = assert_refused(engine, agreement_file(**{"Partners!E3": "lots"}), ":Partners!E3",
                              "Contribution: 'lots' is not money")
        assert "£1,234.56" in line  # the hint shows the accepted forms

    def test_negative_contribution_is_refused(self, engine, agreement_file):
        path = agreement_file(**{"Partners!E3": "-£5"})
        assert_refused(engine, path, ":Partners!E3", "Contribution -5.00 is negative")


# --- 1. Percent ---------------------------------------------------------------------------------


class TestPercent:
    """FORMATS 1: 50, "50%" and 0.5 in a percent-formatted cell all mean 50%; a plain number between
    0 and 1 is under 1% with a warning; outside 0-100 is an error."""

    def member_shares(self, engine: Any) -> dict[str, tuple[Decimal, Decimal]]:
        rows = query(engine, "select partner, overspend_share, underspend_share from member")
        return {r.partner: (Decimal(r.overspend_share), Decimal(r.underspend_share)) for r in rows}

    def test_fifty_in_every_accepted_form_is_fifty(self, engine, agreement_file):
        path = agreement_file(**{"Partners!F2": 50, "Partners!F3": "50%",  # a plain number; text with %
                                 "Partners!G2": Fmt(0.5, "0%"), "Partners!G3": Fmt(0.5, "0.00%")})  # % formats
        res = assert_imported(engine, path)
        assert lines(res) == []  # in particular no "read as 0.5%" warning
        assert self.member_shares(engine) == {"SBC": (Decimal(50), Decimal(50)), "PCT": (Decimal(50), Decimal(50))}

    def test_text_number_and_percent_text_with_spaces(self, engine, agreement_file):
        path = agreement_file(**{"Partners!F2": " 60 ", "Partners!F3": "40 %", "Partners!G2": "60.5%",
                                 "Partners!G3": Fmt(0.395, "0.0%")})
        assert_imported(engine, path)
        assert self.member_shares(engine) == {"SBC": (Decimal(60), Decimal("60.5")),
                                              "PCT": (Decimal(40), Decimal("39.5"))}

    def test_plain_fraction_is_read_as_under_one_percent_with_a_warning(self, engine, agreement_file):
        path = agreement_file(**{"Pool!B8": 0.5})
        res = assert_imported(engine, path)
        problem_at(res, f"{path}:Pool!B8", "warning",
                   "read as 0.5%; write 50 or format the cell as a percentage if you meant 50%")
        [terms] = query(engine, "select savings_share from terms")
        assert Decimal(terms.savings_share) == Decimal("0.5")

    def test_percent_text_under_one_gives_no_warning(self, engine, agreement_file):
        path = agreement_file(**{"Pool!B8": "0.5%"})
        res = assert_imported(engine, path)
        assert not any("read as" in s for s in lines(res))

    @pytest.mark.parametrize(
        ("value", "phrase"),
        [
            (150, "150% is outside 0-100%"),
            (-5, "-5% is outside 0-100%"),
            ("101%", "101% is outside 0-100%"),
            (Fmt(1.5, "0%"), "150% is outside 0-100%"),
            ("fifty", "'fifty' is not a percentage"),
            ("50%%", "'50%%' is not a percentage"),
            (True, "True is not a percentage"),
        ],
    )
    def test_bad_percent_is_refused(self, engine, agreement_file, value, phrase):
        assert_refused(engine, agreement_file(**{"Pool!B8": value}), ":Pool!B8", f"Savings share %: {phrase}")


# --- 1. Dates -----------------------------------------------------------------------------------


class TestDates:
    """FORMATS 1: date cells, ISO and UK text; a bare number only in a date-formatted cell; never US
    order or two-digit years; both the 1900 and 1904 date systems."""

    def test_every_accepted_form_is_the_same_day(self, engine, agreed, workbook):
        forms = {
            "date-cell": MAY_15,
            "datetime-cell": datetime(2025, 5, 15, 14, 30),
            "iso": "2025-05-15",
            "uk": "15/05/2025",
            "uk-short-day": "15/5/2025",
            "serial": "set below",
        }
        rows = [spend(Date=v, Reference=ref, Amount=i + 1) for i, (ref, v) in enumerate(forms.items())]
        path = workbook("dates.xlsx", "return", q1_return(*rows))
        serial_row = 2 + list(forms).index("serial")
        patch(path, {f"Spend!A{serial_row}": Fmt(int(to_excel(datetime(2025, 5, 15))), "dd/mm/yyyy")})
        assert_imported(engine, path)
        assert {ref: d for ref, (d, _) in spend_by_reference(engine).items()} == {ref: "2025-05-15" for ref in forms}

    def test_the_1904_date_system_is_read_right(self, engine, agreed, workbook):
        path = workbook("mac.xlsx", "return", q1_return(spend(Reference="cell"), spend(Reference="serial", Amount=2)))
        serial_1904 = (MAY_15 - date(1904, 1, 1)).days  # 1904 system: day 0 is 1 January 1904

        def to_1904(wb: Any) -> None:
            wb.epoch = CALENDAR_MAC_1904
            wb["Spend"]["A2"].value = datetime(2025, 5, 15)
            wb["Spend"]["A3"].value = serial_1904
            wb["Spend"]["A3"].number_format = "dd/mm/yyyy"

        edit(path, to_1904)
        with zipfile.ZipFile(path) as zf:
            assert b"date1904" in zf.read("xl/workbook.xml")
        assert_imported(engine, path)
        dates = {ref: d for ref, (d, _) in spend_by_reference(engine).items()}
        assert dates == {"cell": "2025-05-15", "serial": "2025-05-15"}

    @pytest.mark.parametrize(
        ("value", "phrase"),
        [
            ("05/15/2025", "'05/15/2025' is not a valid date"),  # US order
            ("15/05/25", "'15/05/25' has a two-digit year"),
            ("2025-02-30", "'2025-02-30' is not a valid date"),
            ("15 May 2025", "'15 May 2025' is not a date"),
            ("2025/05/15", "'2025/05/15' is not a date"),
            (45792, "the number 45792 is not a date (the cell is not formatted as a date)"),  # General format
            (True, "True is not a date"),
        ],
    )
    def test_bad_date_is_refused(self, engine, agreed, return_file, value, phrase):
        line = assert_refused(engine, return_file(**{"Spend!A2": value}), ":Spend!A2", f"Date: {phrase}")
        if value == "05/15/2025":
            assert "day/month/year" in line
        if value == "15/05/25":
            assert "year in full" in line

    def test_a_date_cell_in_a_money_column_is_refused(self, engine, agreed, return_file):
        path = return_file(**{"Spend!C2": Fmt(datetime(2025, 5, 15), "dd/mm/yyyy")})
        assert_refused(engine, path, ":Spend!C2", "is not money")


# --- 1. Formulas --------------------------------------------------------------------------------


class TestFormulas:
    """FORMATS 1: a formula's cached value is used; one with no cached value is an error naming the cell."""

    def test_uncalculated_formula_in_a_money_cell(self, engine, agreed, return_file):
        line = assert_refused(engine, return_file(**{"Spend!C2": "=1000+234.56"}), ":Spend!C2",
                              "Amount: the formula here has no calculated value")
        assert "save it" in line

    @pytest.mark.parametrize("cell", ["Spend!A2", "Spend!B2", "Spend!D2", "Return!B3"])
    def test_uncalculated_formula_in_any_read_cell(self, engine, agreed, return_file, cell):
        path = return_file(**{cell: '="X"&"Y"'})
        assert_refused(engine, path, f":{cell}", "the formula here has no calculated value")

    def test_uncalculated_formula_in_an_agreement(self, engine, agreement_file):
        assert_refused(engine, agreement_file(**{"Partners!F2": "=100-40"}), ":Partners!F2",
                       "Overspend share %: the formula here has no calculated value")

    def test_uncalculated_formula_in_a_header(self, engine, agreed, return_file):
        assert_refused(engine, return_file(**{"Spend!D1": '="Refer"&"ence"'}), ":Spend!D1",
                       "the formula here has no calculated value")

    def test_uncalculated_formula_in_a_field_name(self, engine, agreement_file):
        assert_refused(engine, agreement_file(**{"Pool!A3": '="Na"&"me"'}), ":Pool!A3",
                       "the formula here has no calculated value")

    def test_formula_with_a_cached_value_is_read(self, engine, agreed, return_file):
        path = cache_formula(return_file(**{"Spend!C2": "=1000+234.56"}), "1000+234.56", "1234.56")
        assert_imported(engine, path)
        assert spend_by_reference(engine) == {"INV-1": ("2025-05-15", 123456)}

    def test_formula_with_a_cached_value_in_an_agreement(self, engine, agreement_file):
        path = agreement_file(**{"Partners!F2": "=100-40", "Partners!F3": 40})
        path = cache_formula(path, "100-40", "60")
        assert_imported(engine, path)
        rows = query(engine, "select partner, overspend_share from member")
        shares = {r.partner: Decimal(r.overspend_share) for r in rows}
        assert shares == {"SBC": 60, "PCT": 40}

    def test_formula_whose_cached_value_is_an_error_in_an_agreement(self, engine, agreement_file):
        path = cache_formula(agreement_file(**{"Partners!F2": "=1/0"}), "1/0", "#DIV/0!", cell_type="e")
        assert_refused(engine, path, ":Partners!F2", "the cell holds the error #DIV/0!")

    @pytest.mark.parametrize("cell", ["Spend!C2", "Spend!A2"])
    def test_formula_whose_cached_value_is_an_error(self, engine, agreed, return_file, cell):
        path = cache_formula(return_file(**{cell: "=1/0"}), "1/0", "#DIV/0!", cell_type="e")
        assert_refused(engine, path, f":{cell}", "#DIV/0!")

    def test_error_value_in_an_optional_cell_is_not_taken_as_blank(self, engine, agreed, return_file):
        formula = 'VLOOKUP("x",A1:A2,1)'
        path = cache_formula(return_file(**{"Spend!F2": f"={formula}"}), formula, "#N/A", cell_type="e")
        assert_refused(engine, path, ":Spend!F2", "#N/A")


# --- 1. All problems in a file ------------------------------------------------------------------


class TestAllProblems:
    """FORMATS 1: every problem in a file is reported, not only the first; a file with any error writes nothing."""

    def test_three_bad_cells_in_a_return_give_three_errors(self, engine, agreed, workbook):
        rows = [spend(Date="05/15/2025"), spend(Amount="12.345", Reference="2"), spend(Line="CYP SOC", Reference="3"),
                spend(Reference="fine")]
        path = workbook("three.xlsx", "return", q1_return(*rows))
        before = table_counts(engine)
        res = one(engine, path)
        assert res.refused
        assert len(errors(res)) == 3, lines(res)
        for where, phrase in (("Spend!A2", "Date"), ("Spend!C3", "Amount"), ("Spend!B4", "Line")):
            assert LINE_FORM.match(problem_at(res, f"{path}:{where}", "error", phrase).replace(path, "x.xlsx"))
        assert table_counts(engine) == before

    def test_bad_cells_on_three_sheets_of_an_agreement_give_three_errors(self, engine, agreement_file):
        path = agreement_file(**{"Pool!B5": "2025", "Partners!E3": "lots", "Lines!A3": "BAD CODE!"})
        res = one(engine, path)
        assert res.refused
        assert len(errors(res)) == 3, lines(res)
        problem_at(res, f"{path}:Pool!B5", "error", "'2025' is not a financial year")
        problem_at(res, f"{path}:Partners!E3", "error", "is not money")
        problem_at(res, f"{path}:Lines!A3", "error", "is not a valid line code")
        assert all(HINTED.search(s) for s in errors(res))
        assert table_counts(engine)["batch"] == 0

    def test_a_bad_cell_and_a_bad_row_in_a_return_are_both_reported(self, engine, agreed, workbook):
        rows = [spend(Amount="lots"), spend(Line="NOPE", Reference="2")]
        path = workbook("mixed.xlsx", "return", q1_return(*rows))
        res = one(engine, path)
        assert len(errors(res)) == 2, lines(res)
        problem_at(res, f"{path}:Spend!C2", "error", "is not money")
        problem_at(res, f"{path}:Spend!B3", "error", "line NOPE is not a line of pool SWN-CYP")

    def test_a_bad_cell_and_a_bad_row_in_an_agreement_are_both_reported(self, engine, agreement_file):
        path = agreement_file(**{"Partners!C3": "hospital", "Lines!A3": "CYP-SOC"})
        res = one(engine, path)
        problem_at(res, f"{path}:Partners!C3", "error", "is not a kind")
        problem_at(res, f"{path}:Lines!A3", "error", "line CYP-SOC appears twice")


# --- 2-3. The same file twice -------------------------------------------------------------------


class TestSameFileTwice:
    """FORMATS 2-3: a file is identified by its SHA-256; importing it again is a no-op that says so."""

    def test_agreement_twice(self, engine, agreed):
        before = table_counts(engine)
        res = one(engine, agreed)
        assert res.status == "unchanged" and not res.refused
        assert "already imported" in res.message
        assert table_counts(engine) == before

    def test_return_twice_even_under_another_name(self, engine, agreed, return_file, tmp_path):
        path = return_file()
        assert_imported(engine, path)
        before = table_counts(engine)
        copy = tmp_path / "copy-of-return.xlsx"
        copy.write_bytes(Path(path).read_bytes())
        for again in (path, str(copy)):
            res = one(engine, again)
            assert res.status == "unchanged", lines(res)
            assert "already imported" in res.message
        assert table_counts(engine) == before


# --- 3. Return rows against the agreement -------------------------------------------------------


class TestReturnRows:
    """FORMATS 3: every dated row inside the quarter; lines and partners of the pool; transfers between
    two members, > 0; one return per submitter per period without --replace; one forecast per line."""

    def test_date_outside_the_quarter(self, engine, agreed, return_file):
        line = assert_refused(engine, return_file(**{"Spend!A2": "2025-07-01"}), ":Spend!A2",
                              "the date 01/07/2025 is outside 2025-26-Q1 (01/04/2025 to 30/06/2025)")
        assert "inside the return's quarter" in line

    def test_line_not_in_the_pool(self, engine, agreed, return_file):
        assert_refused(engine, return_file(**{"Spend!B2": "NOPE"}), ":Spend!B2",
                       "line NOPE is not a line of pool SWN-CYP in 2025-26")

    def test_forecast_for_a_line_not_in_the_pool(self, engine, agreed, workbook):
        path = workbook("f.xlsx", "return", q1_return(Forecast=[{"Line": "NOPE", "Forecast outturn": 5}]))
        assert_refused(engine, path, ":Forecast!A2", "line NOPE is not a line of pool SWN-CYP")

    @pytest.mark.parametrize(
        ("sheet", "row", "where", "phrase"),
        [
            ("Contributions", {"Date": MAY_15, "Partner": "XYZ", "Amount": 5}, "B2",
             "Partner XYZ is not a partner of the pool"),
            ("Spend", spend(**{"Paid by": "XYZ"}), "F2", "Paid by XYZ is not a partner of the pool"),
            ("Transfers", {"Date": MAY_15, "From": "PCT", "To": "XYZ", "Amount": 5}, "C2",
             "To XYZ is not a partner of the pool"),
        ],
    )
    def test_partner_not_in_the_pool(self, engine, agreed, workbook, sheet, row, where, phrase):
        path = workbook("p.xlsx", "return", q1_return(**{sheet: [row]}))
        assert_refused(engine, path, f":{sheet}!{where}", phrase)

    def test_submitter_not_in_the_pool(self, engine, agreed, return_file):
        assert_refused(engine, return_file(**{"Return!B4": "XYZ"}), ":Return!B4", "Submitted by XYZ is not a partner")

    def test_pool_not_in_the_ledger(self, engine, agreed, return_file):
        path = return_file(**{"Return!B2": "NOPE"})
        line = assert_refused(engine, path, ":Return!B2", "pool NOPE is not in the ledger")
        assert "import the pool's agreement" in line

    def test_period_of_a_year_with_no_agreement(self, engine, agreed, return_file):
        path = return_file(**{"Return!B3": "2026-27-Q1", "Spend!A2": "2026-05-15"})
        assert_refused(engine, path, ":Return!B2", "pool SWN-CYP has no agreement for 2026-27")

    def test_bad_period(self, engine, agreed, return_file):
        assert_refused(engine, return_file(**{"Return!B3": "Q1 2025"}), ":Return!B3", "'Q1 2025' is not a period")

    def test_transfer_to_itself_and_not_positive(self, engine, agreed, workbook):
        rows = [{"Date": MAY_15, "From": "PCT", "To": "PCT", "Amount": 5},
                {"Date": MAY_15, "From": "PCT", "To": "SBC", "Amount": 0}]
        path = workbook("t.xlsx", "return", q1_return(Transfers=rows))
        assert_refused(engine, path, ":Transfers!C2", "a transfer's From and To are the same partner")
        res = one(engine, path)
        problem_at(res, f"{path}:Transfers!D3", "error", "a transfer's amount must be more than zero")

    def test_corrects_period_not_before_the_return(self, engine, agreed, return_file):
        assert_refused(engine, return_file(**{"Spend!G2": "2025-26-Q2"}), ":Spend!G2",
                       "Corrects period 2025-26-Q2 is not before 2025-26-Q1")

    def test_second_return_from_the_same_submitter_needs_replace(self, engine, agreed, workbook):
        first = workbook("first.xlsx", "return", q1_return(spend()))
        assert_imported(engine, first)
        second = workbook("second.xlsx", "return", q1_return(spend(Amount=2000)))
        line = assert_refused(engine, second, ":Return!B4", f"SBC already sent a return for SWN-CYP {Q1} ({first}")
        assert "--replace" in line
        assert_imported(engine, second, replace=True)
        live = query(engine, "select sum(amount) as total from txn where kind = 'spend'")
        assert live[0].total == 200000  # 1,000.00 + reversal -1,000.00 + 2,000.00

    def test_forecast_of_a_line_another_submitter_forecast(self, engine, agreed, workbook):
        forecast = [{"Line": "CYP-SOC", "Forecast outturn": Decimal(16900000)}]
        first = workbook("sbc.xlsx", "return", q1_return(Forecast=forecast))
        assert_imported(engine, first)
        second = workbook("pct.xlsx", "return", q1_return(by="PCT", Forecast=forecast))
        assert_refused(engine, second, ":Forecast!A2", f"line CYP-SOC is already forecast for {Q1} by SBC in {first}")

    def test_a_line_forecast_twice_in_one_return(self, engine, agreed, workbook):
        forecast = [{"Line": "CYP-SOC", "Forecast outturn": 1}, {"Line": "CYP-SOC", "Forecast outturn": 2}]
        path = workbook("twice.xlsx", "return", q1_return(Forecast=forecast))
        assert_refused(engine, path, ":Forecast!A3", "line CYP-SOC is forecast twice in this return (also at A2)")

    def test_an_identical_row_in_another_return_is_a_warning(self, engine, agreed, workbook):
        first = workbook("sbc.xlsx", "return", q1_return(spend()))
        assert_imported(engine, first)
        second = workbook("pct.xlsx", "return", q1_return(spend(), by="PCT"))
        res = assert_imported(engine, second)
        problem_at(res, f"{second}:Spend!A2", "warning", f"possible duplicate of {first}:Spend!2")


# --- 2. Agreement mistakes ----------------------------------------------------------------------


class TestAgreement:
    """FORMATS 2: choices, roles, host, shares summing to 100%, one row per partner and line, schedules,
    variations that change the arrangement or remove what returns use."""

    @pytest.mark.parametrize(
        ("cell", "value", "phrase"),
        [
            ("Pool!B4", "lead", "Arrangement: 'lead' is not a"),  # a/an: either
            ("Pool!B5", "2025", "'2025' is not a financial year"),
            ("Pool!B7", "keep", "Underspend: 'keep' is not a"),
            ("Partners!C3", "hospital", "'hospital' is not a kind"),
            ("Partners!D3", "member", "'member' is not a role"),
        ],
    )
    def test_bad_choice(self, engine, agreement_file, cell, value, phrase):
        line = assert_refused(engine, agreement_file(**{cell: value}), f":{cell}", phrase)
        assert "use one of" in line or "write it like" in line

    def test_role_not_used_in_the_arrangement(self, engine, agreement_file):
        assert_refused(engine, agreement_file(**{"Partners!D3": "commissioner"}), ":Partners!D3",
                       "role commissioner is not used in lead body pools")

    def test_shares_not_summing_to_100(self, engine, agreement_file):
        path = agreement_file(**{"Partners!F2": 60, "Partners!F3": 30})
        assert_refused(engine, path, ":Partners!F2", "Overspend share % sums to 90%, not 100%")

    def test_shares_within_a_hundredth_of_a_percent_are_accepted(self, engine, agreement_file):
        assert_imported(engine, agreement_file(**{"Partners!F2": "66.67", "Partners!F3": "33.34"}))

    def test_share_given_for_some_members_only(self, engine, agreement_file):
        path = agreement_file(**{"Partners!F2": 100})
        assert_refused(engine, path, ":Partners!F3",
                       "Overspend share % is given for other hosts and contributors but not PCT")

    def test_partner_twice(self, engine, agreement_file):
        assert_refused(engine, agreement_file(**{"Partners!A3": "SBC"}), ":Partners!A3", "partner SBC appears twice")

    def test_line_twice(self, engine, agreement_file):
        assert_refused(engine, agreement_file(**{"Lines!A3": "CYP-SOC"}), ":Lines!A3", "line CYP-SOC appears twice")

    def test_two_hosts(self, engine, agreement_file):
        assert_refused(engine, agreement_file(**{"Partners!D3": "host"}), ":Partners",
                       "a lead body pool has exactly one host; found 2")

    def test_host_field_disagrees_with_roles(self, engine, agreement_file):
        assert_refused(engine, agreement_file(**{"Pool!B6": "PCT"}), ":Pool!B6",
                       "Host PCT is not the partner with the role host (SBC)")

    def test_schedule_not_summing_to_the_contribution(self, engine, workbook):
        ag = example_a_agreement()
        ag["Schedule"] = [{"Partner": "PCT", "Quarter": f"Q{q}", "Amount": Decimal(2800000)} for q in (1, 2, 3)]
        path = workbook("sched.xlsx", "agreement", ag)
        assert_refused(engine, path, ":Schedule!C4", "PCT's schedule sums to 8,400,000.00, not its contribution")

    def test_cap_on_the_host_is_a_warning(self, engine, agreement_file):
        path = agreement_file(**{"Partners!H2": 5})
        res = assert_imported(engine, path)
        problem_at(res, f"{path}:Partners!H2", "warning", "a cap on the host is ignored")

    def test_line_budgets_not_summing_to_contributions_is_a_warning(self, engine, agreement_file):
        path = agreement_file(**{"Lines!C3": 1})
        res = assert_imported(engine, path)
        warned = [s for s in lines(res) if s.startswith(f"{path}:Lines") and ": warning: " in s and "budget" in s]
        assert warned, lines(res)

    def test_a_bad_cell_in_a_variation_leaves_the_agreement_as_it_was(self, engine, agreed, agreement_file):
        before = query(engine, "select partner, contribution from member order by partner")
        assert_refused(engine, agreement_file("variation.xlsx", **{"Partners!E3": "£11,200,000.001"}), ":Partners!E3",
                       "has more than two decimals")
        assert query(engine, "select partner, contribution from member order by partner") == before

    def test_variation_changing_the_arrangement(self, engine, agreed, workbook):
        ag = example_a_agreement(Arrangement="aligned", Host=None)
        for p in ag["Partners"]:
            p["Role"] = "contributor"
            del p["Contribution"]
        for ln, owner in zip(ag["Lines"], ("SBC", "PCT"), strict=True):
            ln["Owner"] = owner
        path = workbook("aligned.xlsx", "agreement", ag, arrangement=Arrangement.ALIGNED)
        line = assert_refused(engine, path, ":Pool", "pool SWN-CYP is a lead body pool; this file says aligned")
        assert "new pool code" in line

    def test_variation_removing_a_line_returns_use(self, engine, agreed, workbook):
        assert_imported(engine, workbook("r.xlsx", "return", q1_return(spend(Line="CYP-HLTH"))))
        ag = example_a_agreement()
        ag["Lines"] = ag["Lines"][:1]
        ag["Lines"][0]["Budget"] = Decimal(28000000)
        path = workbook("fewer-lines.xlsx", "agreement", ag)
        assert_refused(engine, path, ":Lines", "this variation removes line CYP-HLTH")

    def test_partner_recorded_under_another_name_is_a_warning(self, engine, agreed, workbook):
        ag = example_a_agreement(Code="SWN-OTHER")
        ag["Partners"][1]["Name"] = "Swindon PCT (renamed)"
        path = workbook("other-pool.xlsx", "agreement", ag)
        res = assert_imported(engine, path)
        line = problem_at(res, f"{path}:Partners!A3", "warning",
                          "partner PCT is recorded as 'Swindon Primary Care Trust'")
        assert "(hint: " in line
        assert query(engine, "select name from partner where code = 'PCT'")[0].name == "Swindon Primary Care Trust"


# --- 4. The command line ------------------------------------------------------------------------


class TestCommandLine:
    """FORMATS 4: refused input exits 1 with one problem per line on stderr, the path as the user
    gave it, and never a Python traceback; other files in the command stay imported."""

    def test_refused_agreement(self, db, engine, tmp_path, agreement_file):
        agreement_file("agreement.xlsx", **{"Partners!E3": "lots", "Lines!C2": "1.234"})
        r = run_cli("import", "agreement.xlsx", db=db, cwd=tmp_path)
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr + r.stdout
        err = r.stderr.splitlines()
        assert "agreement.xlsx:Partners!E3: error: Contribution: 'lots' is not money (hint: " in r.stderr
        located = [s for s in err if LINE_FORM.match(s)]
        assert {LINE_FORM.match(s)["cell"] for s in located} == {"E3", "C2"}
        assert all(m["path"] == "agreement.xlsx" for m in map(LINE_FORM.match, located))
        assert err[-1] == "agreement.xlsx: refused (2 errors); nothing written"
        assert "imported" not in r.stdout
        assert all(n == 0 for n in table_counts(engine).values())

    def test_refused_return_with_an_uncalculated_formula(self, db, engine, tmp_path, agreed, return_file):
        return_file("return.xlsx", **{"Spend!C2": "=SUM(C3:C9)"})
        before = table_counts(engine)
        r = run_cli("import", "return.xlsx", db=db, cwd=tmp_path)
        assert r.returncode == 1
        assert "Traceback" not in r.stderr
        assert "return.xlsx:Spend!C2: error: Amount: the formula here has no calculated value (hint: " in r.stderr
        assert table_counts(engine) == before

    @pytest.mark.parametrize("content", ["text", "empty", "zip", "missing"])
    def test_unreadable_or_missing_file(self, db, tmp_path, content):
        bad = tmp_path / "bad.xlsx"
        if content == "text":
            bad.write_bytes(b"not a workbook at all")
        elif content == "empty":
            bad.write_bytes(b"")
        elif content == "zip":
            with zipfile.ZipFile(bad, "w") as zf:
                zf.writestr("hello.txt", "a zip file, but not a workbook")
        r = run_cli("import", "bad.xlsx", db=db, cwd=tmp_path)
        assert r.returncode == 1
        assert "Traceback" not in r.stderr
        first = r.stderr.splitlines()[0]
        assert re.match(r"^bad\.xlsx: error: .+ \(hint: .+\)$", first), first

    def test_warnings_alone_exit_0(self, db, tmp_path, agreement_file):
        agreement_file("agreement.xlsx", **{"Pool!B8": 0.5})
        r = run_cli("import", "agreement.xlsx", db=db, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert "agreement.xlsx:Pool!B8: warning: Savings share %: read as 0.5%" in r.stderr
        assert "imported" in r.stdout

    def test_one_bad_file_among_good_ones(self, db, engine, tmp_path, agreement_file, workbook):
        agreement_file("agreement.xlsx")
        workbook("bad-return.xlsx", "return", q1_return(spend(Date="15/05/25")))
        workbook("good-return.xlsx", "return", q1_return(spend(), by="PCT"))
        r = run_cli("import", "bad-return.xlsx", "good-return.xlsx", "agreement.xlsx", db=db, cwd=tmp_path)
        assert r.returncode == 1
        assert "Traceback" not in r.stderr
        assert "bad-return.xlsx:Spend!A2: error: Date: '15/05/25' has a two-digit year (hint: " in r.stderr
        assert "agreement.xlsx: imported" in r.stdout and "good-return.xlsx: imported" in r.stdout
        assert table_counts(engine)["batch"] == 2

    def test_formula_in_a_header_is_a_located_error(self, db, engine, tmp_path, agreement_file, return_file):
        agreement_file("agreement.xlsx")
        return_file("return.xlsx", **{"Spend!D1": '="Refer"&"ence"'})
        r = run_cli("import", "agreement.xlsx", "return.xlsx", db=db, cwd=tmp_path)
        assert "Traceback" not in r.stderr
        assert "return.xlsx:Spend!D1: error: " in r.stderr
        assert "agreement.xlsx: imported" in r.stdout
        assert r.returncode == 1
        assert table_counts(engine)["batch"] == 1
