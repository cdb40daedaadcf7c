"""The database adapter: sqlmodel tables, integer pence, an append-only journal."""
