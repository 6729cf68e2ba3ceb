"""order facts as of T: history of the facts statistics read, derived for existing orders from their events

Revision ID: b4c2e8f1a9d3
Revises: 9d1c6bfc686b
Create Date: 2026-12-01 16:20:00

The backfill replays each order's 流转记录 (ordered by time, then id) with the rules of
portal/orders/history.py. Deadlines come from what the events recorded (an extension's from/to, a reopen's
new deadline, a recompute's new deadline) and, for the order's last dispatch, from the order itself; a
deadline no event recorded (an earlier dispatch's, or one set by a rejected reply and changed again later)
is left empty, which the statistics read as "no deadline to miss".
"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = 'b4c2e8f1a9d3'
down_revision = '9d1c6bfc686b'
branch_labels = None
depends_on = None

_orders = sa.table(
    'work_order', sa.column('id', sa.Integer), sa.column('accepted_at', sa.DateTime), sa.column('kind', sa.String),
    sa.column('state', sa.String), sa.column('last_unit_id', sa.Integer), sa.column('dispatched_at', sa.DateTime),
    sa.column('sign_deadline', sa.DateTime), sa.column('signed_at', sa.DateTime),
    sa.column('handle_deadline', sa.DateTime), sa.column('completed_at', sa.DateTime))
_events = sa.table(
    'order_event', sa.column('id', sa.Integer), sa.column('order_id', sa.Integer), sa.column('action', sa.String),
    sa.column('to_state', sa.String), sa.column('at', sa.DateTime), sa.column('data', sa.JSON))
_replies = sa.table('reply', sa.column('id', sa.Integer), sa.column('order_id', sa.Integer),
                    sa.column('submitted_at', sa.DateTime), sa.column('status', sa.String))
_units = sa.table('unit', sa.column('id', sa.Integer), sa.column('short_name', sa.String))

UNKNOWN = object()


def _time(value):
    if not value or value == '无':
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _replay(order, events, replies, units):
    """The fact rows of one order (dicts), from its events."""
    rows = []

    def open_row(start, unit_id=None, **facts):
        row = dict(order_id=order.id, accepted_at=order.accepted_at, kind=order.kind, valid_from=start,
                   valid_to=None, unit_id=unit_id, dispatched_at=None, sign_deadline=None, signed_at=None,
                   handle_deadline=None, completed_at=None, extensions=0, reopens=0, spell=0)
        row.update(facts)
        rows.append(row)
        return row

    def new_row(cur, at, **changes):
        cur['valid_to'] = at
        facts = {k: v for k, v in cur.items() if k not in ('order_id', 'accepted_at', 'kind', 'valid_from',
                                                          'valid_to', 'unit_id')}
        facts.update(changes)
        return open_row(at, cur['unit_id'], **facts)

    if not events and order.state != 'merged':  # no 流转记录 at all: its columns from its 受理时间 on
        held = order.state != 'pending' and order.last_unit_id is not None
        return [dict(order_id=order.id, accepted_at=order.accepted_at, kind=order.kind, valid_from=order.accepted_at,
                     valid_to=None, unit_id=order.last_unit_id if held else None,
                     dispatched_at=order.dispatched_at if held else None, sign_deadline=order.sign_deadline,
                     signed_at=order.signed_at, handle_deadline=order.handle_deadline,
                     completed_at=order.completed_at, extensions=0, reopens=0)]
    spell = 0
    cur = None
    reopened_after_import = any(e.action == 'reopen' for e in events)
    for e in events:
        data = e.data or {}
        if cur is None:
            start = min(order.accepted_at, e.at) if order.accepted_at else e.at
            cur = open_row(start)
        if e.action == 'import' and e.to_state not in (None, 'pending'):
            spell += 1
            unit_id = units.get(data.get('unit')) or order.last_unit_id
            approved = sorted(r.submitted_at for r in replies if r.status == 'approved' and r.submitted_at)
            done = (approved[0] if approved else None) if reopened_after_import else order.completed_at
            cur.update(unit_id=unit_id, dispatched_at=order.dispatched_at or order.accepted_at, spell=spell,
                       handle_deadline=UNKNOWN, sign_deadline=UNKNOWN, completed_at=done)
        elif e.action == 'dispatch' and cur['unit_id'] is None:
            spell += 1
            cur.update(unit_id=data.get('unit_id') or order.last_unit_id, dispatched_at=e.at, spell=spell,
                       handle_deadline=UNKNOWN, sign_deadline=UNKNOWN, signed_at=None, completed_at=None,
                       extensions=0, reopens=0)
        elif cur['unit_id'] is None:
            if e.action == 'merge':
                cur['valid_to'] = e.at
                break
            continue
        elif e.action == 'sign':
            cur['signed_at'] = e.at
        elif e.action == 'approve_return':
            cur['valid_to'] = e.at
            cur = open_row(e.at)
        elif e.action == 'approve_extension':
            if cur['handle_deadline'] is UNKNOWN and _time(data.get('from')):
                cur['handle_deadline'] = _time(data.get('from'))
            cur = new_row(cur, e.at, handle_deadline=_time(data.get('to')) or UNKNOWN,
                          extensions=cur['extensions'] + 1)
        elif e.action in ('reject_reply', 'reopen'):
            cur = new_row(cur, e.at, handle_deadline=_time(data.get('handle_deadline')) or UNKNOWN,
                          reopens=cur['reopens'] + 1, completed_at=None)
        elif e.action == 'deadline_recomputed':
            changes = {}
            for key in ('handle_deadline', 'sign_deadline'):
                if isinstance(data.get(key), dict):
                    if cur[key] is UNKNOWN:
                        cur[key] = _time(data[key].get('from'))
                    changes[key] = _time(data[key].get('to'))
            if changes:
                cur = new_row(cur, e.at, **changes)
        elif e.action == 'accept_reply':
            reply = next((r for r in replies if r.id == data.get('reply_id')), None)
            done = reply.submitted_at if reply is not None else order.completed_at
            if done is not None:
                for row in rows:
                    if row['unit_id'] is not None and (row['valid_to'] is None or row['valid_to'] > done):
                        row['completed_at'] = done
    if cur is not None and cur['valid_to'] is None and order.state == 'merged':
        cur['valid_to'] = cur['valid_from']
    # The order's own columns are the last dispatch's deadlines (unless a later recompute recorded them).
    for row in rows:
        if row['spell'] == spell and row['unit_id'] is not None:
            for key in ('handle_deadline', 'sign_deadline'):
                if row[key] is UNKNOWN:
                    row[key] = getattr(order, key) if row['valid_to'] is None else UNKNOWN
    last = {}
    for row in reversed(rows):  # an unknown deadline before a known one of the same dispatch: unknown stays
        for key in ('handle_deadline', 'sign_deadline'):
            if row[key] is UNKNOWN:
                row[key] = last.get((row['spell'], key)) if key == 'sign_deadline' else None
            elif row['unit_id'] is not None:
                last[(row['spell'], key)] = row[key]
        row.pop('spell')
    return rows


def upgrade():
    op.create_table(
        'order_fact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.Enum('consult', 'help', 'complaint', 'suggestion', 'report', 'praise',
                                  name='orderkind', native_enum=False, length=20), nullable=False),
        sa.Column('valid_from', sa.DateTime(), nullable=False),
        sa.Column('valid_to', sa.DateTime(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('dispatched_at', sa.DateTime(), nullable=True),
        sa.Column('sign_deadline', sa.DateTime(), nullable=True),
        sa.Column('signed_at', sa.DateTime(), nullable=True),
        sa.Column('handle_deadline', sa.DateTime(), nullable=True),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.Column('extensions', sa.Integer(), nullable=False),
        sa.Column('reopens', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['work_order.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_order_fact_accepted', 'order_fact', ['accepted_at', 'valid_from', 'valid_to', 'unit_id',
                                                             'dispatched_at', 'kind', 'completed_at', 'handle_deadline'],
                    unique=False)
    op.create_index('ix_order_fact_order', 'order_fact', ['order_id', 'valid_from'], unique=False)
    backfill(op.get_bind())


def backfill(bind):
    """Write the fact rows of every order from its events (tests/stats/test_backfill.py calls it too)."""
    facts = sa.table('order_fact', *(sa.column(c) for c in (
        'order_id', 'accepted_at', 'kind', 'valid_from', 'valid_to', 'unit_id', 'dispatched_at', 'sign_deadline',
        'signed_at', 'handle_deadline', 'completed_at', 'extensions', 'reopens')))
    units = {name: uid for uid, name in bind.execute(sa.select(_units.c.id, _units.c.short_name))}
    batch = []
    orders = bind.execute(sa.select(_orders).order_by(_orders.c.id)).fetchall()
    for start in range(0, len(orders), 500):
        chunk = orders[start:start + 500]
        ids = [o.id for o in chunk]
        events, replies = {}, {}
        for e in bind.execute(sa.select(_events).where(_events.c.order_id.in_(ids))
                              .order_by(_events.c.order_id, _events.c.at, _events.c.id)):
            events.setdefault(e.order_id, []).append(e)
        for r in bind.execute(sa.select(_replies).where(_replies.c.order_id.in_(ids))):
            replies.setdefault(r.order_id, []).append(r)
        for order in chunk:
            batch.extend(_replay(order, events.get(order.id, []), replies.get(order.id, []), units))
        if len(batch) >= 2000:
            bind.execute(facts.insert(), batch)
            batch = []
    if batch:
        bind.execute(facts.insert(), batch)


def downgrade():
    op.drop_index('ix_order_fact_order', table_name='order_fact')
    op.drop_index('ix_order_fact_accepted', table_name='order_fact')
    op.drop_table('order_fact')
