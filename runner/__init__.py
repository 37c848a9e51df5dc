"""aicrm's thin runner: CLI, embedded PostgreSQL, the SQL applier and (later) the worker."""

__version__ = "0.1.0"
