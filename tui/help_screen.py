"""What every key does, and how a quarter goes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# pool-ledger: the finance officer's desk

**A quarter:** import the partners' returns (**i**), open each pool (**Enter**),
read its settlement, try a what-if, close the quarter (**c**), record each
partner's sign-off (**o**) and export the report (**e**).

| Key | Where | What it does |
|---|---|---|
| Enter | pools | open the highlighted pool |
| / | pools | filter by pool, name, arrangement or status (Esc clears) |
| s | pools | sort by the next column (or click a column heading) |
| i | anywhere | import workbooks: choose files in the tree, Ctrl+R imports, Ctrl+D dry-runs, Ctrl+X cancels |
| [ ] | pool | previous or next quarter |
| 1 to 7 | pool | the tabs: partners, lines, journal, settlement, savings, curve (alliances), what-if |
| Tab / click | pool | move between the tabs and the fields |
| c | pool | close the quarter (records the statement and locks it) |
| o | pool | a partner signs off a closed quarter |
| e | anywhere | export the quarterly settlement report (.xlsx) |
| Ctrl+P | anywhere | the command palette: every command by name |
| Esc | anywhere | back |
| ? | anywhere | this help |
| q | anywhere | quit |

**Status** (pools): red when the forecast is more than 2% over budget,
amber when over by up to 2%, green on or under budget.

**Balances** (settlement): positive, the partner pays the pool or the host;
negative, it is paid. Every item says how it was worked out.

**Journal:** filters by partner, line, period and source file; each posting
shows the file, sheet and cell it came from. Only the pages you scroll to
are read, so a large journal opens at once.

**What-if:** type a line's outturn (or the whole pool's) and every partner's
exposure moves at once. Nothing is saved.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)
