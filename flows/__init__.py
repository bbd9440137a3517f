"""Prefect flows. The only package that imports Prefect; importing it configures Prefect first
(quiet, no telemetry, PREFECT_HOME under var/) so that every process that runs a flow — the CLI, a
served deployment, a worker — gets the same environment."""

from flows.prefect_env import configure_prefect
from petitions.settings import default_settings

configure_prefect(default_settings())
