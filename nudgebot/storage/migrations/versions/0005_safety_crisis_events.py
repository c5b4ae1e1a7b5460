"""crisis events: the tier and time of flagged messages, and the safety question's answer

Revision ID: 0005_safety
Revises: 0004
Create Date: 2026-12-02 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nudgebot.storage.models

revision: str = "0005_safety"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crisis_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("at", nudgebot.storage.models.UTCDateTime(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("answered_at", nudgebot.storage.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_crisis_events_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_events")),
    )
    with op.batch_alter_table("crisis_events", schema=None) as batch_op:
        batch_op.create_index("ix_crisis_events_user_at", ["user_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crisis_events", schema=None) as batch_op:
        batch_op.drop_index("ix_crisis_events_user_at")
    op.drop_table("crisis_events")
