"""Understanding: a language the customer chose with /language stays; which category the model
proposed second when it was unsure; which category the customer picked with a button

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language_chosen", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("runner_up", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("picked_category", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("picked_category")
        batch_op.drop_column("runner_up")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("language_chosen")
