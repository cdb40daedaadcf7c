"""The use cases, shared by the command line and the terminal UI.

Services open the database and the workbooks; callers (cli, tui) never do.
"""


class LedgerError(Exception):
    """A request the books cannot answer (unknown pool, no agreement...)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message + (f" (hint: {self.hint})" if self.hint else "")
