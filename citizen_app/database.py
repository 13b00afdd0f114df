"""Alembic migrations, run from code so a fresh clone needs no alembic.ini in the working directory."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from flask import current_app

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS_DIR)
    cfg.set_main_option(
        "sqlalchemy.url", (url or current_app.config["SQLALCHEMY_DATABASE_URI"]).replace("%", "%%")
    )
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
