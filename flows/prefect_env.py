"""Prefect's environment, set before Prefect is imported: quiet, no telemetry, no network.

A configured PREFECT_API_URL (a `prefect server start` shared by workers) is used as it is;
without it Prefect runs its ephemeral API in-process, with its database under var/prefect.
"""

from __future__ import annotations

import os

from petitions.settings import Settings


def configure_prefect(settings: Settings, *, verbose: bool = False) -> None:
    os.environ.setdefault("PREFECT_HOME", str(settings.var_dir / "prefect"))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
