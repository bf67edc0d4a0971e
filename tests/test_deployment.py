"""docker-compose.yml and the Dockerfile stay in step with the code: real commands, settings and paths.

There is no Docker engine where the tests run; these checks catch what drifts when the code changes.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from typer.main import get_command

from monitor.cli.app import app
from monitor.settings import Settings
from tests.conftest import PROJECT_ROOT

COMPOSE = YAML(typ="safe").load((PROJECT_ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()
COMMANDS = set(get_command(app).list_commands(None))  # type: ignore[arg-type]


def test_the_workers_run_a_real_command_against_postgresql_with_a_healthcheck() -> None:
    worker = COMPOSE["services"]["worker"]
    assert worker["command"][0] == "monitor" and worker["command"][-1] in COMMANDS
    assert worker["environment"]["MONITOR_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert worker["deploy"]["replicas"] >= 2, "the compose file shows several workers sharing the sources"
    assert worker["healthcheck"]["test"][1:3] == ["monitor", "sources"]
    assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "postgres-data" in COMPOSE["volumes"]


def test_environment_variables_name_real_settings() -> None:
    for name in COMPOSE["services"]["worker"]["environment"]:
        if name == "MONITOR_ALERT_URL":
            continue
        model: Any = Settings
        for part in name.removeprefix("MONITOR_").lower().split("__"):  # nested: MONITOR_WEB__ADDRESS
            assert part in model.model_fields, name
            model = model.model_fields[part].annotation
    assert "MONITOR_ALERT_URL" in (PROJECT_ROOT / "config" / "channels.yaml").read_text()


def test_the_dockerfile_copies_paths_that_exist_and_runs_a_real_command() -> None:
    for source in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, flags=re.M):
        for path in source.split():
            assert (PROJECT_ROOT / path).exists(), path
    command = re.search(r"^CMD \[(.+)\]$", DOCKERFILE, flags=re.M)
    assert command is not None and command.group(1).split(", ")[-1].strip('"') in COMMANDS


def test_the_image_user_owns_the_data_directory_of_the_default_database() -> None:
    assert Settings.model_fields["database_url"].default == "sqlite:///data/monitor.db"
    assert re.search(r"mkdir -p /app/data && chown monitor:monitor /app/data", DOCKERFILE)
    assert DOCKERFILE.index("chown monitor:monitor /app/data") < DOCKERFILE.index("USER monitor")
    assert "WORKDIR /app" in DOCKERFILE
