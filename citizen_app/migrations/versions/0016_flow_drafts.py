"""flow drafts: one server-side draft store for the question-per-page flows [issue 14]

The request flow's drafts move from request_draft into flow_draft (flow "request", same public ids, so an
open draft's address keeps working); consent drafts, kept in the session until now, are stored here too.

The downgrade copies the request drafts back. Consent drafts have no place in the older schema (it kept them
in the session): if any exist, the downgrade refuses unless MINSIP_DOWNGRADE_DISCARD names 0016.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_draft",
        sa.Column("flow", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_case_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"], name=op.f("fk_flow_draft_author_id_person")),
        sa.ForeignKeyConstraint(["case_id"], ["sip_case.id"], name=op.f("fk_flow_draft_case_id_sip_case")),
        sa.ForeignKeyConstraint(
            ["submitted_case_id"], ["sip_case.id"], name=op.f("fk_flow_draft_submitted_case_id_sip_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_draft")),
        sa.UniqueConstraint("flow", "author_id", "case_id", name="uq_flow_draft_flow_author_case"),
        sa.UniqueConstraint("public_id", name=op.f("uq_flow_draft_public_id")),
    )
    with op.batch_alter_table("flow_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flow_draft_author_id"), ["author_id"], unique=False)

    # Every request draft, sent or not, keeps its public id (its address) and the case it became. The integer
    # ids are new: nothing refers to them, and PostgreSQL's sequence for flow_draft then stays right.
    op.execute(
        "INSERT INTO flow_draft (public_id, flow, author_id, case_id, answers, created_at, updated_at,"
        " submitted_case_id)"
        " SELECT public_id, 'request', author_id, NULL, answers, created_at, updated_at, submitted_case_id"
        " FROM request_draft ORDER BY id"
    )
    with op.batch_alter_table("request_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_draft_author_id"))
    op.drop_table("request_draft")


def downgrade() -> None:
    # Only consent drafts have a case; the request drafts are copied back below.
    refuse_to_lose(
        "0016",
        columns=(("flow_draft", "case_id", "consent drafts not yet given, kept until the person says yes"),),
    )
    op.create_table(
        "request_draft",
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_case_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"], name=op.f("fk_request_draft_author_id_person")),
        sa.ForeignKeyConstraint(
            ["submitted_case_id"], ["sip_case.id"], name=op.f("fk_request_draft_submitted_case_id_sip_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_draft")),
        sa.UniqueConstraint("public_id", name=op.f("uq_request_draft_public_id")),
    )
    with op.batch_alter_table("request_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_draft_author_id"), ["author_id"], unique=False)
    op.execute(
        "INSERT INTO request_draft (public_id, author_id, answers, created_at, updated_at, submitted_case_id)"
        " SELECT public_id, author_id, answers, created_at, updated_at, submitted_case_id"
        " FROM flow_draft WHERE flow = 'request' ORDER BY id"
    )
    with op.batch_alter_table("flow_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_draft_author_id"))
    op.drop_table("flow_draft")
