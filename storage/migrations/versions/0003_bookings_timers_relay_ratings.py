"""Bookings with events and timers, the relay (transcript, flags, blocks, prompts), ratings;
outbox rows learn copies, retries and the sent message id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:35:45.730620
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_blocks_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["helper_id"], ["helpers.id"], name=op.f("fk_blocks_helper_id_helpers")),
        sa.PrimaryKeyConstraint("customer_id", "helper_id", name=op.f("pk_blocks")),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("rate_cents", sa.Integer(), nullable=False),
        sa.Column("km", sa.Float(), nullable=False),
        sa.Column("offered_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deadline", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("start", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("proposal_no", sa.Integer(), nullable=False),
        sa.Column("proposed_start", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("proposed_minutes", sa.Integer(), nullable=True),
        sa.Column("payment", sa.String(length=8), nullable=True),
        sa.Column("payment_ref", sa.String(length=128), nullable=True),
        sa.Column("hold_cents", sa.Integer(), nullable=True),
        sa.Column("checked_in_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=True),
        sa.Column("fee_cents", sa.Integer(), nullable=True),
        sa.Column("relay_closed_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_bookings_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["helper_id"], ["helpers.id"], name=op.f("fk_bookings_helper_id_helpers")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_bookings_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookings_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_helper_id"), ["helper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_state"), ["state"], unique=False)

    op.create_table(
        "booking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_events_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_events")),
    )
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_events_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_flags_booking_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flags_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "prompts",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_prompts_booking_id_bookings")),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_prompts")),
    )
    op.create_table(
        "ratings",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_ratings_booking_id_bookings")),
        sa.PrimaryKeyConstraint("booking_id", "by", name=op.f("pk_ratings")),
    )
    op.create_table(
        "relay_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("leaks", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_relay_messages_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_messages")),
    )
    with op.batch_alter_table("relay_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relay_messages_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("due_at", storage.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", storage.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_timers_booking_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint("booking_id", "kind", name="uq_timers_booking_kind"),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index("ix_timers_pending_due", ["fired_at", "cancelled", "due_at"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("copy_from_chat", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("copy_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("copy_captioned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("next_attempt_at", storage.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.create_index("ix_outbox_chat_message", ["telegram_id", "message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat_message")
        batch_op.drop_column("error")
        batch_op.drop_column("message_id")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("copy_captioned")
        batch_op.drop_column("copy_message_id")
        batch_op.drop_column("copy_from_chat")
        batch_op.drop_column("booking_id")

    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_pending_due")

    op.drop_table("timers")
    with op.batch_alter_table("relay_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relay_messages_booking_id"))

    op.drop_table("relay_messages")
    op.drop_table("ratings")
    op.drop_table("prompts")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flags_booking_id"))

    op.drop_table("flags")
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_events_booking_id"))

    op.drop_table("booking_events")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_state"))
        batch_op.drop_index(batch_op.f("ix_bookings_request_id"))
        batch_op.drop_index(batch_op.f("ix_bookings_helper_id"))
        batch_op.drop_index(batch_op.f("ix_bookings_customer_id"))

    op.drop_table("bookings")
    op.drop_table("blocks")
