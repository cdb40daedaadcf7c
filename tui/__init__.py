"""The Textual application. It talks to ``ledger.services`` only."""
