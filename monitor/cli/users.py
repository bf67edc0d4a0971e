"""`monitor users`: the desk's accounts (add, list, passwd, remove) and their API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor import clock
from monitor.cli.context import MAX_ROW_ID, CliContext
from monitor.errors import DeskError
from monitor.storage.users import (
    Role,
    add_user,
    list_accounts,
    list_tokens,
    remove_user,
    revoke_token,
    set_password,
)
from monitor.storage.users import create_token as new_token

app = typer.Typer(help="Accounts of the desk: viewer (reads), analyst (triages), admin (manages).")

NameArgument = Annotated[str, typer.Argument(help="The user's name.")]
PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password", help="The password (prompted for, hidden, when not given).", show_default=False
    ),
]


def _password(given: str | None) -> str:
    return given if given is not None else typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _fail(error: DeskError) -> None:
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[Role, typer.Option("--role", help="viewer, analyst or admin.")] = Role.analyst,
    password: PasswordOption = None,
) -> None:
    """Add a user."""
    context: CliContext = ctx.obj
    try:
        with context.database.session() as session:
            account = add_user(session, name, _password(password), role, now=clock.now())
            session.commit()
    except DeskError as error:
        _fail(error)
    typer.echo(f"added {account.role.value} {account.name}")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List the users and their roles."""
    context: CliContext = ctx.obj
    with context.database.read_session() as session:
        accounts = list_accounts(session)
    if not accounts:
        typer.echo("no users: `monitor run` (or `monitor web`) prints a setup link for the first admin")
    for account in accounts:
        typer.echo(f"{account.name}\t{account.role.value}\t{account.created_at:%Y-%m-%d}")


@app.command("passwd")
def passwd(ctx: typer.Context, name: NameArgument, password: PasswordOption = None) -> None:
    """Set a user's password (their open sessions are logged out)."""
    context: CliContext = ctx.obj
    try:
        with context.database.session() as session:
            set_password(session, name, _password(password))
            session.commit()
    except DeskError as error:
        _fail(error)
    typer.echo(f"password of {name} changed")


@app.command("remove")
def remove(ctx: typer.Context, name: NameArgument) -> None:
    """Remove a user and their tokens (their notes keep their name)."""
    context: CliContext = ctx.obj
    try:
        with context.database.session() as session:
            remove_user(session, name)
            session.commit()
    except DeskError as error:
        _fail(error)
    typer.echo(f"removed {name}")


@app.command("token")
def token(
    ctx: typer.Context,
    name: NameArgument,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    show: Annotated[bool, typer.Option("--list", help="List the user's tokens instead.")] = False,
    revoke: Annotated[
        int | None, typer.Option("--revoke", min=1, max=MAX_ROW_ID, help="Revoke the token with this id.")
    ] = None,
) -> None:
    """Create an API bearer token for a user (printed once), or list or revoke their tokens."""
    context: CliContext = ctx.obj
    try:
        with context.database.session() as session:
            if show:
                for info in list_tokens(session, name):
                    used = f"{info.last_used_at:%Y-%m-%d %H:%M}" if info.last_used_at else "never used"
                    typer.echo(f"{info.id}\t{info.kind}\t{info.label}\t{used}")
                return
            if revoke is not None:
                revoke_token(session, revoke, user=name)
                session.commit()
                typer.echo(f"revoked token {revoke}")
                return
            secret = new_token(session, name, "api", label=label, now=clock.now())
            session.commit()
    except DeskError as error:
        _fail(error)
    typer.echo(secret)
