"""等保 identity: administrator duties (三权分立), the TOTP second factor and its settings; KB files wait for review

Revision ID: a3f61c2d7e08
Revises: e3f1a7c9b2d4
Create Date: 2026-12-01 19:30:00

Every active or inactive user whose role is admin (today's single administrator role) keeps it as the
system administrator and is given the security administrator and auditor duties too, so a centre where one
person did everything can still do everything after the upgrade; the security administrator then hands the
duties to different people. A KB attachment is visible beyond its unit and the centre once approved (the
version it came with published): files of entries already published count as approved.
"""
import sqlalchemy as sa
from alembic import op

revision = "a3f61c2d7e08"
down_revision = "e3f1a7c9b2d4"
branch_labels = None
depends_on = None

ROLE = sa.Enum("admin", "security_admin", "auditor", "centre_staff", "operator", "unit_leader", "liaison",
               name="role", native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("unit") as batch_op:
        batch_op.add_column(sa.Column("second_factor_required", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("unit") as batch_op:
        batch_op.alter_column("second_factor_required", server_default=None)
    duty = op.create_table(
        "user_duty",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.CheckConstraint("role IN ('admin', 'security_admin', 'auditor')", name=op.f("ck_user_duty_admin_role")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_user_duty_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_duty")),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_recovery_code_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    with op.batch_alter_table("recovery_code") as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)
    op.create_table(
        "security_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("second_factor_for_all", sa.Boolean(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_security_policy_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_policy")),
    )
    with op.batch_alter_table("kb_attachment") as batch_op:
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(), nullable=True))
    # Files of entries already published were visible to everyone: they stay so (the rule applies to new ones).
    op.execute("UPDATE kb_attachment SET approved_at = uploaded_at WHERE entry_id IN "
               "(SELECT id FROM kb_entry WHERE published_version_id IS NOT NULL)")
    admins = op.get_bind().execute(sa.text("SELECT id FROM \"user\" WHERE role = 'admin' ORDER BY id")).all()
    if admins:
        op.bulk_insert(duty, [{"user_id": row.id, "role": role} for row in admins
                              for role in ("security_admin", "auditor")])


def downgrade():
    with op.batch_alter_table("kb_attachment") as batch_op:
        batch_op.drop_column("approved_at")
    op.drop_table("security_policy")
    with op.batch_alter_table("recovery_code") as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
    op.drop_table("recovery_code")
    op.drop_table("user_duty")
    with op.batch_alter_table("unit") as batch_op:
        batch_op.drop_column("second_factor_required")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
