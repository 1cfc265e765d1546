"""Turning the library's exceptions into one-line messages and exit codes."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

import typer

from tts.errors import TTSError


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def check_threads(threads: int | None) -> int | None:
    """Validate a --threads value (a Typer callback, or call it): None (the default) or 1 to the number of cores."""
    cores = os.cpu_count() or 1
    if threads is not None and not 1 <= threads <= cores:
        fail(f"--threads {threads} is out of range: give 1 to {cores} (this machine's cores), or leave it out")
    return threads


def friendly_errors(command: Callable) -> Callable:
    """Run `command`; problems the user can fix (TTSError, a missing, forbidden or folder path) become 'error: ...'
    on stderr and exit code 1, no traceback; Ctrl-C exits with 130. Any other exception is a bug: it propagates
    with its traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (TTSError, FileNotFoundError) as exc:
            fail(str(exc))
        except PermissionError as exc:
            fail(f"permission denied: {exc.filename}")
        except IsADirectoryError as exc:
            fail(f"{exc.filename} is a folder: give a file name")
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(1)

    return wrapper
