"""pool-ledger: the books of pooled budgets and alliance contracts.

The pure core lives in the modules directly under this package (money,
periods, records, problems, journal, settlement, validate). Adapters live in
subpackages: ``store`` (the database), ``workbooks`` (Excel in and out),
``services`` (the use cases) and ``cli``. This file imports nothing so that
importing the core never drags in an adapter.
"""
