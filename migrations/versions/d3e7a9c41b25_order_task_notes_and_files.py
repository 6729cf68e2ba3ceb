"""order tasks: the latest reason on a task, the passing unit's index, and attachments recorded against a task

Revision ID: d3e7a9c41b25
Revises: dc8fadaa6b6d
Create Date: 2026-12-01 19:40:00

No data migration: no order has tasks before this revision's features (the note is '' and files
belong to the order).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3e7a9c41b25'
down_revision = 'dc8fadaa6b6d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_order_task_assigner_state', ['assigner_unit_id', 'state'], unique=False)

    with op.batch_alter_table('order_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_attachment_task_id'), ['task_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_order_attachment_task_id_order_task'), 'order_task',
                                    ['task_id'], ['id'])


def downgrade():
    with op.batch_alter_table('order_attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_order_attachment_task_id_order_task'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_order_attachment_task_id'))
        batch_op.drop_column('task_id')

    with op.batch_alter_table('order_task', schema=None) as batch_op:
        batch_op.drop_index('ix_order_task_assigner_state')
        batch_op.drop_column('note')
