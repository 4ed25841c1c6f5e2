"""Customers: when they accepted the privacy notice, and whether support blocked them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:46:13.552814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consented_at", storage.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("blocked_at", storage.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("blocked_at")
        batch_op.drop_column("consented_at")
