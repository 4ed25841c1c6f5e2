"""Incoming updates are kept until handled: the update itself (cleared once handled), a lease
while a process works on it, the number of attempts, and when it was done

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("leased_until", storage.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("done_at", storage.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_processed_updates_pending", ["source", "done_at"])
    op.execute("UPDATE processed_updates SET done_at = received_at")  # claimed before: handled


def downgrade() -> None:
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_updates_pending")
        for column in ("done_at", "attempts", "leased_until", "payload", "chat_id"):
            batch_op.drop_column(column)
