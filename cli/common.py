"""What every command shares: failing with one line, the error handler, the dependencies, list options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

import click
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from bot.deps import Deps
from bot.runtime.bootstrap import bootstrap
from bot.runtime.startup import StartupError, database_problem
from bot.settings import Settings
from licensing.errors import DirectoryFileError, LicensingError
from storage.db import UnsupportedDatabase, missing_sqlite_file

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def friendly_errors(fn: F) -> F:
    """One line on stderr instead of a traceback, for everything a user can cause or fix."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DirectoryFileError as e:
            for problem in e.problems:
                click.echo(problem, err=True)
            fail(f"{e.user_message} Nothing was imported.")
        except LicensingError as e:
            fail(e.user_message)
        except (StartupError, UnsupportedDatabase) as e:
            fail(str(e))
        except DBAPIError as e:  # down, not migrated, or something else: database_problem finds out which
            fail(database_problem(Settings().database_url, e))

    return cast(F, wrapper)


def split(values: tuple[str, ...]) -> list[str]:
    """`--users a,b --users c` and `--assign X --assign Y` both work."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def settings() -> Settings:
    """The settings, or one line naming each bad value (never the value: it may be a secret)."""
    try:
        return Settings()
    except ValidationError as e:
        fail("; ".join(f"{'.'.join(map(str, err['loc'])).upper()}: {err['msg']}" for err in e.errors()))


def not_set_up(url: str) -> str | None:
    """Why a command cannot run on a database never set up, without creating an empty file by asking."""
    path = missing_sqlite_file(url)
    return None if path is None else f"there is no database at {path} yet; run `licensebot db upgrade` first"


def deps(ctx: click.Context, *, set_up: bool = True) -> Deps:
    """Built on first use (`db upgrade` needs none), from the composition root, and closed with the command.

    `set_up` refuses a database never set up at once; serve and worker check their settings first, then that."""
    root = ctx.find_root()
    if root.obj is None:
        configured = settings()
        if set_up and (problem := not_set_up(configured.database_url)):
            fail(problem)
        root.obj = bootstrap(configured)
        root.call_on_close(root.obj.close)
    return cast(Deps, root.obj)
