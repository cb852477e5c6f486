"""Small SQL pieces that differ between PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal_column
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import ColumnElement


def json_object(session: Session, **fields: ColumnElement[Any] | QueryableAttribute[Any]) -> ColumnElement[Any]:
    """A JSON object built by the database (json_build_object on PostgreSQL, json_object on SQLite)."""
    build = func.json_build_object if session.get_bind().dialect.name == "postgresql" else func.json_object
    args: list[ColumnElement[Any] | QueryableAttribute[Any]] = []
    for key, value in fields.items():
        args += [literal_column(f"'{key}'"), value]
    return build(*args)
