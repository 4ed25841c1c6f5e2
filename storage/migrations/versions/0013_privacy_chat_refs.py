"""The chat log says which booking or helper card a line was about, so erasing a person also
erases what the other side was sent about them (relayed texts, names, descriptions)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("helper_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_chat_messages_booking_id", ["booking_id"])
        batch_op.create_index("ix_chat_messages_helper_id", ["helper_id"])


def downgrade() -> None:
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_messages_helper_id")
        batch_op.drop_index("ix_chat_messages_booking_id")
        batch_op.drop_column("helper_id")
        batch_op.drop_column("booking_id")
