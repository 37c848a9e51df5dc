"""`aicrm plan PROJECT_ID BRIEF --tenant ID [--strategist NAME]` (docs/agents.md, "The strategist:
from a project brief to tasks"): a project's brief (a JSON file) turned into its content tasks. With
a model (AICRM_LLM_PROVIDER=openai), the model proposes the plan and the database checks every
piece (runner/strategist.py); without one, the database's offline plan. Either way the tasks are
created by aicrm.create_project_brief, and its answer is printed (the plan in plain lines, or
JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import typer
from psycopg.types.json import Jsonb

from runner.config import Settings
from runner.db import connect, ensure_server, queries, set_tenant, translated_errors
from runner.errors import InvalidInput, NotFound


def plan_command(
    project_id: str = typer.Argument(..., help="The project to plan."),
    brief_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The brief, a JSON object."),
    tenant: str = typer.Option(..., "--tenant", envvar="AICRM_TENANT_ID", help="The project's tenant."),
    strategist: str | None = typer.Option(None, "--strategist", help="The strategist agent's name (the handoffs)."),
    as_json: bool = typer.Option(False, "--json", help="Print the database's answer as JSON."),
) -> None:
    """Plan a project's content tasks from its brief (with the model, when one is configured)."""
    from runner.providers.llm import LLMSettings, OpenAIChatProvider, llm_from_config  # the SDK: only here
    from runner.strategist import plan_with_model

    settings = Settings.from_env()
    try:
        brief = json.loads(brief_file.read_text())
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"brief: {brief_file} is not JSON: {exc}", field="brief") from exc
    if not isinstance(brief, dict):
        raise InvalidInput(f"brief: {brief_file} must hold a JSON object", field="brief")
    llm = LLMSettings.from_env()
    model = cast(OpenAIChatProvider, llm_from_config(llm)) if llm.provider == "openai" else None
    ensure_server(settings)
    with connect(settings, "app") as conn:
        with translated_errors():
            set_tenant(conn, tenant)
            agent = None
            if strategist:
                row = conn.execute(queries()["mcp_find_agent"], {"name": strategist}).fetchone()
                if row is None:
                    raise NotFound(f"strategist: no agent {strategist!r} in this tenant", field="strategist")
                agent = row[0]
            named = conn.execute(queries()["project_name"], {"project_id": project_id}).fetchone()
        project = str(named[0]) if named else project_id  # an unknown project: the database says so

        def create(b: dict[str, Any]) -> dict[str, Any]:
            with translated_errors(), conn.transaction():  # a savepoint: a refused plan writes nothing
                row = conn.execute(
                    queries()["create_project_brief"],
                    {"project_id": project_id, "brief": Jsonb(b), "strategist": agent},
                ).fetchone()
            assert row is not None
            return cast(dict[str, Any], row[0])

        if model is None:
            answer, by = create(brief), "offline"
        else:
            result = plan_with_model(model, project, brief, create)
            answer, by = result.answer, result.proposed_by
        conn.commit()
    if as_json:
        typer.echo(json.dumps({**answer, "proposed_by": by}, indent=2, default=str))
        return
    typer.echo(f"Planned by {by}.")
    for line in answer.get("plan", []):
        typer.echo(line)
    for warning in answer.get("warnings", []):
        typer.echo(f"warning: {warning}")
