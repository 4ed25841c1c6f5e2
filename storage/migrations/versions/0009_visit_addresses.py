"""Visit addresses: where the helper rings, one per booking (personal data)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 23:44:22.265142
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_addresses",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("street", sa.String(length=120), nullable=False),
        sa.Column("postcode", sa.String(length=5), nullable=False),
        sa.Column("floor", sa.String(length=120), nullable=False),
        sa.Column("doorbell", sa.String(length=60), nullable=False),
        sa.Column("note", sa.String(length=120), nullable=False),
        sa.Column("updated_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_visit_addresses_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_visit_addresses")),
    )


def downgrade() -> None:
    op.drop_table("visit_addresses")
