"""aicrm's thin runner: the CLI, the embedded PostgreSQL, the SQL applier, the content worker and the
publisher (with their providers and scoring), each calling the SQL package for every decision."""

__version__ = "0.1.0"
