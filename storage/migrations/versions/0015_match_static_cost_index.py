"""Matching: an index on the rating-and-price part of the score per grid cell, so that the
search reads, in each cell, only the helpers who can still beat the third best (and covering
what it reads of them, so that it never looks a row up)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Ranking.static_cost as SQL, exactly as storage/matching_sql.py:STATIC_COST_SQL
#: writes it (the databases use the index only for that very expression; a test compares).
STATIC_COST = (
    "(0.3 * (5.0 - ((22.5 + rating_sum) / (5.0 + rating_count))) / 4.0"
    " + 0.15 * ((rate_cents - 700.0) / 2300.0))"
)


#: What the search reads of a row besides: the index covers it, so no row is looked up.
COVERED = ["lat", "lon", "radius_km", "rate_cents", "rating_sum", "rating_count", "helper_id"]


def upgrade() -> None:
    op.create_index(
        "ix_match_cells_static_cost",
        "match_cells",
        ["category", "language", "cell", sa.text(STATIC_COST), *COVERED],
    )


def downgrade() -> None:
    op.drop_index("ix_match_cells_static_cost", table_name="match_cells")
