"""4d5e6f7a8b9c

Revision ID: 4d5e6f7a8b9c
Revises: ('2b3c4d5e6f7a', '3c4d5e6f7a8b')
Create Date: 2024-01-01 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "4d5e6f7a8b9c"
down_revision: Union[str, None] = ('2b3c4d5e6f7a', '3c4d5e6f7a8b')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
