"""The database: models, session, queries and Alembic migrations."""
