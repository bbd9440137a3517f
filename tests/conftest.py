"""Shared fixtures.

``store_url`` runs a test once on SQLite (a file in tmp_path) and once on PostgreSQL. The PostgreSQL
server comes from PETITIONS_TEST_PG_URL (``source .ci/start-postgres`` starts one); without it the
PostgreSQL runs are skipped, unless PETITIONS_REQUIRE_PG=1 (CI), where they fail instead. Each
PostgreSQL test gets a fresh schema (via ``search_path``) that is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

PG_URL_ENV = "PETITIONS_TEST_PG_URL"
REQUIRE_PG_ENV = "PETITIONS_REQUIRE_PG"


def pg_base_url() -> str:
    """The test server's URL; skips (or fails, when PostgreSQL is required) if it is not set."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_URL_ENV} is not set: source .ci/start-postgres")
        pytest.skip(f"{PG_URL_ENV} is not set (source .ci/start-postgres to run PostgreSQL tests)")
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema on the PostgreSQL test server."""
    base = pg_base_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, poolclass=NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database: a SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'petitions.db'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One Prefect test API for the whole session (its start costs seconds); heartbeats off."""
    import importlib

    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    os.environ.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)  # unset: no flow heartbeats
    importlib.import_module("flows")  # configures Prefect before Prefect is imported
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
