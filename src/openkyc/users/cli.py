"""`openkyc users …`: the first admin of an organization, made from the command line."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def users() -> None:
    """The people who sign in to review documents."""


@users.command("create")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "reviewer", "viewer"]),
    default="admin",
    show_default=True,
)
@click.option("--organization", help="The organization's id; needed only when there are several.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters (asked for when not given).",
)
@click.option("--data-dir", type=click.Path(path_type=Path), help="Folder of the embedded mode.")
def create(
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    organization: str | None,
    password: str,
    data_dir: Path | None,
) -> None:
    """Add a user (by default an admin, who then adds the others through the API)."""
    from pydantic import ValidationError

    from openkyc.config import settings_with
    from openkyc.db.migrate import upgrade
    from openkyc.db.session import Database
    from openkyc.errors import OpenKycError
    from openkyc.organizations import service as organizations
    from openkyc.users import service
    from openkyc.users.enums import Role
    from openkyc.users.schemas import UserIn

    try:
        data = UserIn(
            email=email,
            firstName=first_name,
            lastName=last_name,
            role=Role(role),
            password=password,
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise click.ClickException(problems) from error
    settings = settings_with(data_dir=data_dir)
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine)
        with database.write_sessionmaker.begin() as session:
            organization_id = organization or _only_organization(organizations.first_ids(session))
            if organizations.get(session, organization_id) is None:
                raise click.ClickException(f"No organization {organization_id}")
            user = service.create(session, organization_id, data)
            click.echo(f"User {user.id} ({user.email}, {user.role}) of {organization_id}")
    except OpenKycError as error:
        raise click.ClickException(error.detail) from error
    finally:
        database.dispose()


def _only_organization(ids: list[str]) -> str:
    if not ids:
        raise click.ClickException("No organization yet: run `openkyc migrate` first")
    if len(ids) > 1:
        raise click.ClickException("There are several organizations: name one (--organization)")
    return ids[0]
