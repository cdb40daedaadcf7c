"""Import agreement and return workbooks: each file one transaction, all or nothing.

The same file twice (by SHA-256) is a no-op; a second return from the same
submitter for the same period needs ``replace``, which reverses the earlier
batch and posts the new one; a dry run does everything and rolls it back.
"""

from __future__ import annotations

import getpass
import hashlib
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import ParseError as SafeParseError
from sqlalchemy import Connection, Engine

from ledger.money import ZERO, to_pence
from ledger.periods import Period
from ledger.problems import Problem, Source, error, has_errors, warning
from ledger.records import Agreement, Return, locate
from ledger.services.settling import carried_into
from ledger.store import reads, writes
from ledger.store.db import read_connection, write_transaction
from ledger.validate import check_budget
from ledger.workbooks.agreement import read_agreement
from ledger.workbooks.reader import SAVE_HINT, Workbook, WorkbookError
from ledger.workbooks.returns import read_return
from ledger.workbooks.specs import POOL, RETURN


@dataclass(frozen=True, slots=True)
class ImportProgress:
    file: str
    stage: str  # reading | writing | done
    rows: int


@dataclass(slots=True)
class FileResult:
    path: str
    kind: str | None = None  # agreement | return
    status: str = "refused"  # imported | unchanged | refused | checked
    problems: list[Problem] = field(default_factory=list)
    batch_id: int | None = None
    rows: int = 0
    message: str = ""

    @property
    def refused(self) -> bool:
        return self.status == "refused"


class Cancelled(Exception):
    pass


def operator_name(given: str | None = None) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _kind_and_order(path: str) -> tuple[str | None, tuple[int, int], list[Problem]]:
    """Agreement or return, and a sort key: agreements by year first, then returns by period."""
    try:
        with Workbook(Path(path), path) as wb:
            if wb.find_sheet(POOL.name):
                from ledger.workbooks.tables import needs_formats, read_key_values

                kv = read_key_values(wb.rows(wb.find_sheet(POOL.name)[0], needs_formats(POOL)), POOL, Source(path, "Pool"), None, [])
                year = kv.values.get("year")
                return "agreement", (0, year.start if year else 0), []
            if wb.find_sheet(RETURN.name):
                from ledger.workbooks.tables import needs_formats, read_key_values

                kv = read_key_values(wb.rows(wb.find_sheet(RETURN.name)[0], needs_formats(RETURN)), RETURN, Source(path, "Return"), None, [])
                period = kv.values.get("period")
                return "return", (1, period.index if period else 0), []
            return None, (2, 0), [
                error(Source(path), "this workbook has neither a Pool sheet (agreement) nor a Return sheet (return)",
                      "start from `pool-ledger template agreement` or `pool-ledger template return`")
            ]
    except WorkbookError as exc:
        return None, (2, 0), [exc.problem]
    except Exception as exc:  # a damaged part inside the zip: the readers raise many kinds
        return None, (2, 0), [error(Source(path), f"the workbook cannot be read: {exc}", SAVE_HINT)]


class Books:
    """The connections of one import run.

    Normally each file reads committed data and writes in a transaction of its
    own. A dry run shares one transaction, each file in a savepoint, rolled back
    at the end: so the files of one dry run see each other, as they would for real.
    """

    def __init__(self, engine: Engine, dry_run: bool = False):
        self.engine = engine
        self._stack = ExitStack()
        self._shared: Connection | None = None
        if dry_run:
            self._shared = self._stack.enter_context(write_transaction(engine, commit=False))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        if self._shared is not None:
            yield self._shared
        else:
            with read_connection(self.engine) as conn:
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        if self._shared is not None:
            with self._shared.begin_nested():
                yield self._shared
        else:
            with write_transaction(self.engine) as conn:
                yield conn

    def close(self) -> None:
        self._stack.close()


def import_files(
    engine: Engine,
    paths: list[str],
    operator: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    progress: Callable[[ImportProgress], None] | None = None,
    cancel: threading.Event | None = None,
    now: Callable[[], datetime] | None = None,
) -> list[FileResult]:
    """Import files: agreements first, then returns in period order; each its own transaction."""
    books = Books(engine, dry_run)
    try:
        return _import_all(books, paths, operator_name(operator), replace, dry_run, progress, cancel, now)
    finally:
        books.close()


def _import_all(
    books: Books,
    paths: list[str],
    op: str,
    replace: bool,
    dry_run: bool,
    progress: Callable[[ImportProgress], None] | None,
    cancel: threading.Event | None,
    now: Callable[[], datetime] | None,
) -> list[FileResult]:
    planned = []
    for i, path in enumerate(paths):
        seen = _already_imported(books, path)
        if seen is not None:
            planned.append(((-1, 0), i, path, "seen", seen))
            continue
        kind, order, problems = _kind_and_order(path)
        planned.append((order, i, path, kind, problems))
    planned.sort(key=lambda t: (t[0], t[1]))
    results = []
    for _order, _i, path, kind, extra in planned:
        if kind == "seen":
            results.append(_unchanged(FileResult(path), extra))
        elif cancel is not None and cancel.is_set():
            results.append(FileResult(path, kind, "refused", [error(Source(path), "cancelled before it was read")]))
        elif kind is None:
            results.append(FileResult(path, None, "refused", extra))
        else:
            importer = _AgreementImport if kind == "agreement" else _ReturnImport
            try:
                results.append(importer(books, path, op, replace, dry_run, progress, cancel, now).run())
            except Exception as exc:  # a fault of ours: this file is refused whole, the others go on
                results.append(FileResult(path, kind, "refused", [error(
                    Source(path), f"internal error while importing this file ({type(exc).__name__}: {exc}); "
                    "nothing of it was written", "please report this with the file")]))
    return results


def _already_imported(books: Books, path: str) -> Any:
    try:
        sha = sha256_of(Path(path))
    except OSError:
        return None  # the importer reports it
    with books.read() as conn:
        return reads.batch_by_sha(conn, sha)


def _unchanged(r: FileResult, seen: Any) -> FileResult:
    """The same file twice is a no-op that says so."""
    r.status = "unchanged"
    r.kind = seen.kind
    r.batch_id = seen.id
    r.message = (
        f"already imported as batch {seen.id} on {seen.imported_at[:16].replace('T', ' ')} UTC "
        f"by {seen.operator}; nothing to do"
    )
    return r


class _FileImport:
    kind = ""

    def __init__(
        self,
        books: Books,
        path: str,
        operator: str,
        replace: bool,
        dry_run: bool,
        progress: Callable[[ImportProgress], None] | None,
        cancel: threading.Event | None,
        now: Callable[[], datetime] | None,
    ):
        self.books, self.path, self.operator = books, path, operator
        self.replace, self.dry_run = replace, dry_run
        self.progress, self.cancel = progress, cancel
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.result = FileResult(path, self.kind)

    def tick(self, stage: str, rows: int) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled
        if self.progress is not None:
            self.progress(ImportProgress(self.path, stage, rows))

    def run(self) -> FileResult:
        r = self.result
        try:
            sha = sha256_of(Path(self.path))
        except OSError as exc:
            r.problems.append(error(Source(self.path), f"cannot read the file: {exc.strerror}", "check the path"))
            return r
        with self.books.read() as conn:
            seen = reads.batch_by_sha(conn, sha)
        if seen is not None:
            return _unchanged(r, seen)
        try:
            with Workbook(Path(self.path), self.path) as wb:
                parsed = self.parse(wb)
        except WorkbookError as exc:
            r.problems.append(exc.problem)
            return r
        except (KeyError, ValueError, OSError, SafeParseError, zipfile.BadZipFile) as exc:
            # a damaged part inside the zip: the readers raise many kinds
            r.problems.append(error(Source(self.path), f"the workbook cannot be read: {exc}", SAVE_HINT))
            return r
        except Cancelled:
            r.problems.append(error(Source(self.path), "import cancelled; nothing was written"))
            return r
        if has_errors(r.problems) or parsed is None:
            return r
        try:
            with self.books.write() as conn:
                seen = reads.batch_by_sha(conn, sha)
                if seen is not None:
                    return _unchanged(r, seen)
                self.check(conn, parsed)
                if has_errors(r.problems):
                    raise _Refused
                self.tick("writing", r.rows)
                r.batch_id = self.write(conn, parsed, sha)
                writes.write_problems(conn, r.batch_id, [p for p in r.problems if not p.is_error])
        except _Refused:
            return r
        except Cancelled:
            r.problems.append(error(Source(self.path), "import cancelled; nothing was written"))
            r.batch_id = None
            return r
        r.status = "checked" if self.dry_run else "imported"
        if self.dry_run:
            r.batch_id = None
        self.tick("done", r.rows)
        return r

    def batch_values(self, sha: str, **values: Any) -> dict[str, Any]:
        return {
            "file_name": self.path,
            "sha256": sha,
            "operator": self.operator,
            "imported_at": self.now().astimezone(timezone.utc).isoformat(timespec="seconds"),
            **values,
        }

    def parse(self, wb: Workbook) -> Any:
        raise NotImplementedError

    def check(self, conn: Connection, parsed: Any) -> None:
        raise NotImplementedError

    def write(self, conn: Connection, parsed: Any, sha: str) -> int:
        raise NotImplementedError


class _Refused(Exception):
    """Raised inside the write transaction to roll it back."""


class _AgreementImport(_FileImport):
    kind = "agreement"

    def parse(self, wb: Workbook) -> Agreement | None:
        self.tick("reading", 0)
        ag, problems = read_agreement(wb)
        self.result.problems.extend(problems)
        if ag is not None:
            self.result.rows = len(ag.members) + len(ag.lines)
        return ag

    def check(self, conn: Connection, ag: Agreement) -> None:
        p = self.result.problems
        known = reads.partners(conn)
        for m in ag.members:
            if m.partner in known and known[m.partner] != (m.name, m.kind):
                name, kind = known[m.partner]
                p.append(warning(m.source, f"partner {m.partner} is recorded as {name!r} ({kind}); "
                                 f"this file says {m.name!r} ({m.kind}); the first record stands",
                                 "use the same name and kind for a partner everywhere"))
        years = reads.pool_years(conn, ag.pool)
        if years:
            current = reads.load_agreement(conn, ag.pool, years[-1])
            assert current is not None
            if current.arrangement is not ag.arrangement:
                p.append(error(Source(self.path, "Pool"),
                               f"pool {ag.pool} is a {current.arrangement.label} pool; this file says {ag.arrangement.label}",
                               "a pool keeps its arrangement: give a different arrangement a new pool code"))
                return
        if ag.year in years:
            self._variation(conn, ag)
        earlier = [y for y in years if y < ag.year]
        carried_in = carried_into(conn, ag.pool, ag.year, years).carried_in if earlier else ZERO
        p.extend(check_budget(ag, carried_in))

    def _variation(self, conn: Connection, ag: Agreement) -> None:
        current = reads.load_agreement(conn, ag.pool, ag.year)
        assert current is not None
        partners_used, lines_used = reads.used_codes(conn, ag.pool, ag.year)
        for m in current.members:
            if ag.member(m.partner) is None and m.partner in partners_used:
                self.result.problems.append(
                    error(Source(self.path, "Partners"),
                          f"this variation removes partner {m.partner}, which returns for {ag.year} already name",
                          "keep the partner in the agreement (a contribution of 0 is allowed)"))
        for ln in current.lines:
            if ag.line(ln.code) is None and ln.code in lines_used:
                self.result.problems.append(
                    error(Source(self.path, "Lines"),
                          f"this variation removes line {ln.code}, which returns for {ag.year} already use",
                          "keep the line (a budget of 0 is allowed)"))
        self.result.message = f"variation of the {ag.year} terms (replaces the terms of batch {reads.terms_batch(conn, ag.pool, ag.year)})"

    def write(self, conn: Connection, ag: Agreement, sha: str) -> int:
        batch_id = writes.new_batch(
            conn, **self.batch_values(sha, kind="agreement", pool=ag.pool, year_start=ag.year.start, rows=self.result.rows)
        )
        writes.write_agreement(conn, batch_id, ag)
        what = f"agreement {ag.pool} {ag.year} ({ag.arrangement.label}: {len(ag.members)} partners, {len(ag.lines)} lines)"
        self.result.message = what + (f"; {self.result.message}" if self.result.message else "")
        return batch_id


class _ReturnImport(_FileImport):
    kind = "return"

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.agreement: Agreement | None = None
        self.terms_batch: int | None = None
        self.replaced: Any = None

    def _context(self, pool: str, period: Period) -> tuple[Agreement, frozenset[str]] | str:
        with self.books.read() as conn:
            years = reads.pool_years(conn, pool)
            if not years:
                return f"pool {pool} is not in the ledger"
            ag = reads.load_agreement(conn, pool, period.year)
            if ag is None:
                return f"pool {pool} has no agreement for {period.year}"
            self.terms_batch = reads.terms_batch(conn, pool, period.year)
            former: set[str] = set()
            for y in years:
                if y < period.year:
                    earlier = reads.load_agreement(conn, pool, y)
                    former |= {m.partner for m in earlier.members} if earlier else set()
            return ag, frozenset(former)

    def parse(self, wb: Workbook) -> Return | None:
        self.tick("reading", 0)
        ret, ag, problems = read_return(wb, self._context, lambda n: self.tick("reading", n))
        self.agreement = ag
        self.result.problems.extend(problems)
        if ret is not None:
            self.result.rows = ret.row_count
        return ret

    def check(self, conn: Connection, ret: Return) -> None:
        p = self.result.problems
        if reads.terms_batch(conn, ret.pool, ret.period.year) != self.terms_batch:
            p.append(error(Source(self.path), "the pool's agreement changed while this file was read", "import it again"))
            return
        closed = reads.closure(conn, ret.pool, ret.period)
        if closed is not None:
            p.append(error(ret.source.at(ret.period_cell),
                           f"{ret.pool} {ret.period} was closed on {closed.closed_at[:10]} by {closed.operator}: "
                           "a return for it is refused whole",
                           "send corrections in the next open quarter's return, marked Corrects period"))
            return
        for row in ret.money:
            if row.corrects is not None and reads.closure(conn, ret.pool, row.corrects) is None:
                p.append(error(locate(row.source, row.cells, "corrects"),
                               f"Corrects period {row.corrects} is not a closed quarter",
                               "a correction names a closed quarter; an open one takes the row itself"))
        earlier = reads.active_return(conn, ret.pool, ret.period, ret.submitted_by)
        if earlier is not None and not self.replace:
            p.append(error(ret.source, f"{ret.submitted_by} already sent a return for {ret.pool} {ret.period} "
                           f"({earlier.file_name}, batch {earlier.id})",
                           "to replace it, import this file with --replace"))
            return
        if earlier is None and self.replace:
            p.append(warning(ret.source, f"there is no earlier return from {ret.submitted_by} for {ret.period} to replace; "
                             "imported as a new return"))
        self.replaced = earlier
        exclude = earlier.id if earlier is not None else None
        owners = reads.forecast_owners(conn, ret.pool, ret.period, exclude)
        for f in ret.forecasts:
            if f.line in owners:
                file, who = owners[f.line]
                p.append(error(f.source, f"line {f.line} is already forecast for {ret.period} by {who} in {file}",
                               "one forecast per line per period: its submitter replaces its own with --replace"))
        keys = reads.row_keys(conn, ret.pool, ret.period, exclude)
        if keys:
            for row in ret.money:
                key = (row.kind.value, row.date.isoformat(), row.line or row.partner, to_pence(row.amount), row.reference)
                if key in keys:
                    p.append(warning(row.source, f"possible duplicate of {keys[key]}",
                                     "check the row was not sent twice"))

    def write(self, conn: Connection, ret: Return, sha: str) -> int:
        assert self.agreement is not None
        batch_id = writes.new_batch(
            conn,
            **self.batch_values(
                sha, kind="return", pool=ret.pool, year_start=ret.period.year.start, quarter=ret.period.quarter,
                submitted_by=ret.submitted_by, replaces_batch=self.replaced.id if self.replaced else None,
                rows=ret.row_count,
            ),
        )
        writes.write_return(conn, batch_id, ret, self.agreement.arrangement)
        what = f"return {ret.pool} {ret.period} from {ret.submitted_by} ({ret.row_count:,} rows)"
        if self.replaced is not None:
            n = writes.reverse_batch(conn, batch_id, self.replaced.id)
            what += f"; replaces batch {self.replaced.id} ({n} rows reversed)"
        self.result.message = what
        return batch_id


__all__ = ["FileResult", "ImportProgress", "import_files", "operator_name"]
