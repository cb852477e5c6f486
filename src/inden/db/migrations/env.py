"""Alembic environment: the engine comes from `inden.db.migrate.alembic_config`."""

from __future__ import annotations

from alembic import context

from inden.db.models import Base
from inden.db.search import is_search_structure

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=engine.dialect.name == "sqlite",
        include_name=lambda name, type_, parent: not is_search_structure(name),
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
