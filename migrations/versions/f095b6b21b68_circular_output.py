"""circular_output: the PDF, DOCX and XLSX of an issued circular, stored at 印发

Revision ID: f095b6b21b68
Revises: 215b39df4673
Create Date: 2026-12-01 16:40:00

Circulars issued before this revision have no stored files; their downloads are rendered as before
(the page says they were not archived). No data migration: rendering needs the application.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f095b6b21b68'
down_revision = '215b39df4673'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('circular_output',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circular_id', sa.Integer(), nullable=False),
    sa.Column('fmt', sa.String(length=8), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('fonts', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circular_id'], ['circular.id'], name=op.f('fk_circular_output_circular_id_circular'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circular_output')),
    sa.UniqueConstraint('circular_id', 'fmt', name='uq_circular_output_fmt')
    )
    with op.batch_alter_table('circular_output', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circular_output_circular_id'), ['circular_id'], unique=False)


def downgrade():
    with op.batch_alter_table('circular_output', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circular_output_circular_id'))
    op.drop_table('circular_output')
