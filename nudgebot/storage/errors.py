"""What a database that cannot be reached raises, for the few callers that must go on without it."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

# A refused connection surfaces as OSError from the driver before SQLAlchemy can wrap it.
STORAGE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, OSError)
