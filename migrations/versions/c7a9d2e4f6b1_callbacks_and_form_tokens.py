"""callbacks: five levels with a satisfied setting, one per closure; one-time form tokens

Revision ID: c7a9d2e4f6b1
Revises: b4c2e8f1a9d3
Create Date: 2026-12-01 16:30:00

Existing 回访 rows keep their level (满意, 基本满意 and 不满意 are three of GB/T 39734-2020's five, stored
under the same codes). Each gets its closure number (1 + the order's reopens before it); when one closure
has several callbacks, the first keeps the number and the later ones get none: they stay on record and
are no longer counted in 回访满意率.
"""
import sqlalchemy as sa
from alembic import op

revision = 'c7a9d2e4f6b1'
down_revision = 'b4c2e8f1a9d3'
branch_labels = None
depends_on = None

_callbacks = sa.table('callback', sa.column('id', sa.Integer), sa.column('order_id', sa.Integer),
                      sa.column('at', sa.DateTime), sa.column('closure', sa.Integer))
_events = sa.table('order_event', sa.column('order_id', sa.Integer), sa.column('action', sa.String),
                   sa.column('at', sa.DateTime))


def upgrade():
    op.create_table(
        'callback_level',
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.Column('satisfied', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('level'),
    )
    op.create_table(
        'form_token',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('used_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('token'),
    )
    with op.batch_alter_table('callback') as batch:
        batch.add_column(sa.Column('closure', sa.Integer(), nullable=True))

    bind = op.get_bind()
    reopens = {}
    for order_id, at in bind.execute(sa.select(_events.c.order_id, _events.c.at).where(_events.c.action == 'reopen')):
        reopens.setdefault(order_id, []).append(at)
    seen = set()
    rows = bind.execute(sa.select(_callbacks.c.id, _callbacks.c.order_id, _callbacks.c.at)
                        .order_by(_callbacks.c.order_id, _callbacks.c.at, _callbacks.c.id)).fetchall()
    for callback_id, order_id, at in rows:
        closure = 1 + sum(1 for r in reopens.get(order_id, []) if r < at)
        if (order_id, closure) in seen:
            continue
        seen.add((order_id, closure))
        bind.execute(_callbacks.update().where(_callbacks.c.id == callback_id).values(closure=closure))

    with op.batch_alter_table('callback') as batch:
        batch.create_unique_constraint('uq_callback_order_closure', ['order_id', 'closure'])


def downgrade():
    with op.batch_alter_table('callback') as batch:
        batch.drop_constraint('uq_callback_order_closure', type_='unique')
        batch.drop_column('closure')
    op.drop_table('form_token')
    op.drop_table('callback_level')
