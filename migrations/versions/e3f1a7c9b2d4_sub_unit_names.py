"""sub-unit names: unique among first-level units and among the sub-units of one unit

Revision ID: e3f1a7c9b2d4
Revises: d3e7a9c41b25
Create Date: 2026-12-01 19:40:00

城关镇 is a township of several counties, so a name unique across every unit cannot hold for sub-units.
First-level units keep one name each (the centre and the orders import resolve them by name); sub-units are
unique among their siblings. No data migration: every existing unit is a first-level unit with unique names.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3f1a7c9b2d4'
down_revision = 'd3e7a9c41b25'
branch_labels = None
depends_on = None

TOP = sa.text("parent_id IS NULL")
SUB = sa.text("parent_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_unit_full_name', type_='unique')
        batch_op.drop_constraint('uq_unit_short_name', type_='unique')
        batch_op.create_index('uq_unit_top_full_name', ['full_name'], unique=True,
                              sqlite_where=TOP, postgresql_where=TOP)
        batch_op.create_index('uq_unit_top_short_name', ['short_name'], unique=True,
                              sqlite_where=TOP, postgresql_where=TOP)
        batch_op.create_index('uq_unit_sub_full_name', ['parent_id', 'full_name'], unique=True,
                              sqlite_where=SUB, postgresql_where=SUB)
        batch_op.create_index('uq_unit_sub_short_name', ['parent_id', 'short_name'], unique=True,
                              sqlite_where=SUB, postgresql_where=SUB)


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('uq_unit_sub_short_name', sqlite_where=SUB, postgresql_where=SUB)
        batch_op.drop_index('uq_unit_sub_full_name', sqlite_where=SUB, postgresql_where=SUB)
        batch_op.drop_index('uq_unit_top_short_name', sqlite_where=TOP, postgresql_where=TOP)
        batch_op.drop_index('uq_unit_top_full_name', sqlite_where=TOP, postgresql_where=TOP)
        batch_op.create_unique_constraint('uq_unit_short_name', ['short_name'])
        batch_op.create_unique_constraint('uq_unit_full_name', ['full_name'])
