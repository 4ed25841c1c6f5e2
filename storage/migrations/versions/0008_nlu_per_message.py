"""What the NLU read in each message a person wrote (intent, confidence), for support

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 02:59:02.032351
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intent", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_column("confidence")
        batch_op.drop_column("intent")
