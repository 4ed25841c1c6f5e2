"""Payments: the ledger, provider events processed once, checkout and hold expiry on bookings,
helpers' connected Stripe accounts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:11:20.371872
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_events",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("received_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_events")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_ledger_entries_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["helpers.id"], name=op.f("fk_ledger_entries_helper_id_helpers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_helper_id"), ["helper_id"], unique=False)

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkout_id", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("hold_expires_at", storage.db.UtcDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("helpers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stripe_account", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("payouts_ready", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("helpers", schema=None) as batch_op:
        batch_op.drop_column("payouts_ready")
        batch_op.drop_column("stripe_account")

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("hold_expires_at")
        batch_op.drop_column("checkout_id")

    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_helper_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_booking_id"))

    op.drop_table("ledger_entries")
    op.drop_table("provider_events")
