"""Unbound extension objects, bound to the app in create_app()."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Search structures made by migrations but kept out of the models (SQLite FTS5 and its shadow
# tables, the PostgreSQL trigram index): autogenerate must neither drop nor recreate them.
# Search structures made by migrations only (dialect-specific: FTS5 tables and triggers, pg_trgm indexes).
OUTSIDE_MODELS = ("kb_search_fts", "ix_kb_search_doc_trgm", "work_order_fts", "ix_work_order_number_trgm",
                  "ix_work_order_title_trgm", "ix_work_order_content_trgm", "ix_work_order_address_trgm")


def include_name(name: str | None, type_: str, _parent_names) -> bool:
    """Tell Alembic's autogenerate which reflected objects belong to the models."""
    return not (name and name.startswith(OUTSIDE_MODELS))


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True, include_name=include_name)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
