"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    # Keep the data: before this drops a table or a column that can hold data, call
    # citizen_app.migrations.keep_data.refuse_to_lose("<this revision>", tables=..., columns=...).
    # tests/unit/test_migrations.py fails for a downgrade that drops data without asking.
    ${downgrades if downgrades else "pass"}
