"""Alembic environment: one schema for the whole service, on SQLite or PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import bot.store.models  # noqa: F401  (registers the tables on Base.metadata)
import knowledge.store.models  # noqa: F401
from knowledge.store.base import Base, make_engine

target_metadata = Base.metadata


def _database_url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from config.settings import Settings  # plain `alembic` CLI: this is an entry point

    return Settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_database_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
