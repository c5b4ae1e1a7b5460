"""What a failure to reach the database means at start-up, and where the database is."""

from __future__ import annotations

import errno
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

# PostgreSQL answering with one of these will answer the same way on every retry.
_PERMANENT_PG = frozenset(
    {
        "InvalidPasswordError",
        "InvalidAuthorizationSpecificationError",
        "InvalidCatalogNameError",
    }
)


class DatabaseUnusable(Exception):
    """Retrying cannot help (a path that cannot be written, a wrong password)."""


def where(url: str) -> str:
    """The database for the start-up line: a SQLite file's absolute path, or host/db (never
    the password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return f"SQLite {database or ':memory:'}"
        return f"SQLite {Path(database).resolve()}"
    port = f":{parsed.port}" if parsed.port else ""
    return f"PostgreSQL {parsed.host or 'localhost'}{port}/{parsed.database or ''}"


def is_transient(url: str, error: BaseException) -> bool:
    """True if the database may well answer on a later try (it is starting, the network is
    down); False for problems an operator has to fix. Raises nothing."""
    if make_url(url).get_backend_name() == "sqlite":
        # A local file: "unable to open", permissions, a read-only disk. None go away alone,
        # except a lock held by another process, which SQLite's busy timeout already waited on.
        return False
    cause: BaseException | None = error
    while cause is not None:
        if type(cause).__name__ in _PERMANENT_PG:
            return False
        cause = cause.__cause__ or cause.__context__
    return isinstance(error, OSError | TimeoutError | SQLAlchemyError | DBAPIError) or (
        type(error).__module__.startswith("asyncpg")
    )


def reason(error: BaseException) -> str:
    """A short name for the problem, without the statement or its parameters."""
    cause: BaseException = error
    while isinstance(cause, SQLAlchemyError) and (cause.__cause__ or cause.__context__):
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    if isinstance(cause, OSError) and cause.errno is not None:
        return f"{type(cause).__name__} ({errno.errorcode.get(cause.errno, cause.errno)})"
    text = str(cause).splitlines()[0] if str(cause) else ""
    # Driver messages name files and roles, never user data; keep them short all the same.
    return f"{type(cause).__name__}: {text[:120]}" if text else type(cause).__name__
