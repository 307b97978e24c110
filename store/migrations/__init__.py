"""Alembic migrations of the onboardd schema."""
