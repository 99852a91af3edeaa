"""What every command shares: failing with one line, the error handler, the dependencies, list options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.bootstrap import bootstrap
from bot.deps import Deps
from bot.settings import Settings, safe_url
from licensing.errors import DirectoryFileError, LicensingError

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
        except (OperationalError, ProgrammingError) as e:
            url = safe_url(Settings().database_url)
            fail(f"the database at {url} is not ready ({type(e.orig).__name__}); run `licensebot db upgrade` first")

    return cast(F, wrapper)


def split(values: tuple[str, ...]) -> list[str]:
    """`--users a,b --users c` and `--assign X --assign Y` both work."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def deps(ctx: click.Context) -> Deps:
    """Built on first use (`db upgrade` needs none), from the composition root, and closed with the command."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = bootstrap(Settings())
        root.call_on_close(root.obj.close)
    return cast(Deps, root.obj)
