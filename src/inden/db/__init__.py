"""Storage: SQLAlchemy models, sessions, set-based queries and Alembic migrations."""
