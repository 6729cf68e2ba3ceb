"""order tasks (协办 parts and parts passed down) and sub-units (unit.parent_id)

Revision ID: c5b8c1d5dd89
Revises: 5d2b8c4e9f10
Create Date: 2026-12-01 19:08:04.445437

No data migration: existing units are first-level units (parent_id NULL) and existing orders have no tasks.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5b8c1d5dd89'
down_revision = '5d2b8c4e9f10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('order_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('assigner_unit_id', sa.Integer(), nullable=True),
    sa.Column('parent_task_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('lead', 'co', name='taskrole', native_enum=False, length=10), nullable=False),
    sa.Column('state', sa.Enum('dispatched', 'in_progress', 'answered', 'release_requested', 'released', 'accepted', 'withdrawn', name='taskstate', native_enum=False, length=20), nullable=False),
    sa.Column('task_text', sa.Text(), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('assigner_unit_id IS NULL OR assigner_unit_id <> unit_id', name=op.f('ck_order_task_not_to_itself')),
    sa.ForeignKeyConstraint(['assigner_unit_id'], ['unit.id'], name=op.f('fk_order_task_assigner_unit_id_unit')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_order_task_created_by_id_user')),
    sa.ForeignKeyConstraint(['handler_id'], ['user.id'], name=op.f('fk_order_task_handler_id_user')),
    sa.ForeignKeyConstraint(['order_id'], ['work_order.id'], name=op.f('fk_order_task_order_id_work_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_task_id'], ['order_task.id'], name=op.f('fk_order_task_parent_task_id_order_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_order_task_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_task'))
    )
    with op.batch_alter_table('order_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_task_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_task_parent_task_id'), ['parent_task_id'], unique=False)
        batch_op.create_index('ix_order_task_unit_state', ['unit_id', 'state'], unique=False)
        batch_op.create_index('uq_order_task_current', ['order_id', 'unit_id'], unique=True, sqlite_where=sa.text("state IN ('answered', 'dispatched', 'in_progress', 'release_requested')"), postgresql_where=sa.text("state IN ('answered', 'dispatched', 'in_progress', 'release_requested')"))

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_unit_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_unit_parent_id_unit'), 'unit', ['parent_id'], ['id'])



def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unit_parent_id_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_unit_parent_id'))
        batch_op.drop_column('parent_id')

    with op.batch_alter_table('order_task', schema=None) as batch_op:
        batch_op.drop_index('uq_order_task_current', sqlite_where=sa.text("state IN ('answered', 'dispatched', 'in_progress', 'release_requested')"), postgresql_where=sa.text("state IN ('answered', 'dispatched', 'in_progress', 'release_requested')"))
        batch_op.drop_index('ix_order_task_unit_state')
        batch_op.drop_index(batch_op.f('ix_order_task_parent_task_id'))
        batch_op.drop_index(batch_op.f('ix_order_task_order_id'))

    op.drop_table('order_task')
