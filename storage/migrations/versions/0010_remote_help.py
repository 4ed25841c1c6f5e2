"""Remote help: helpers who also help by phone or video, requests that want it

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 23:55:17.419094
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("helpers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote", sa.Boolean(), server_default="0", nullable=False))

    with op.batch_alter_table("match_cells", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote", sa.Boolean(), server_default="0", nullable=False))

    with op.batch_alter_table("match_districts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote", sa.Boolean(), server_default="0", nullable=False))

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("remote")

    with op.batch_alter_table("match_districts", schema=None) as batch_op:
        batch_op.drop_column("remote")

    with op.batch_alter_table("match_cells", schema=None) as batch_op:
        batch_op.drop_column("remote")

    with op.batch_alter_table("helpers", schema=None) as batch_op:
        batch_op.drop_column("remote")
