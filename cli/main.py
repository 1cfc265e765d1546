"""The `tts` application."""

from __future__ import annotations

import os
import signal
import warnings
import typing
from typing import Any

import typer

from tts.cli import evaluate, say, train
from tts.cli import batch
from tts.cli import enroll, voices
from tts.cli import detect, phonemes

app = typer.Typer(help="Offline text-to-speech with voice cloning, at 16 kHz on an ordinary CPU.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


def _print_version(value: bool) -> None:
    if value:
        from tts.version import __version__

        typer.echo(f"tts {__version__}")
        raise typer.Exit()


@app.callback()
def root(show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                           help="Print the version and exit.")) -> None:
    """Offline text-to-speech with voice cloning, at 16 kHz on an ordinary CPU."""
app.command(epilog=say.EPILOG)(say.say)
app.command(epilog=batch.EPILOG)(batch.batch)
app.add_typer(train.app, name="train")
app.command(epilog=enroll.EPILOG)(enroll.enroll)
app.add_typer(voices.app, name="voices")
app.command(name="eval", epilog=evaluate.EPILOG)(evaluate.evaluate)
app.command(epilog=detect.EPILOG)(detect.detect)
app.command(epilog=phonemes.EPILOG)(phonemes.phonemes)


def interrupt_on_termination() -> None:
    """Make SIGTERM and SIGHUP raise KeyboardInterrupt, as Ctrl-C does, so that the same clean-up runs (temporary
    files removed, a training checkpoint saved) and the exit code is 130. A forked child process that inherits
    the handlers dies of the signal as usual instead."""
    main_pid = os.getpid()

    def interrupt(signum: int, frame: object) -> None:
        if os.getpid() != main_pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def _value_label(param: Any) -> str | None:
    """What an option's value is, in words (FILE, NUMBER, N, TEXT); None for flags and arguments."""
    descriptor = param.type_descriptor
    if param.param_type_name == "argument" or param.is_flag:
        return None
    if descriptor.is_path or descriptor.is_file:
        return "PATH"
    element = typing.get_args(descriptor.annotation)[0] if descriptor.is_list else descriptor.annotation
    return {float: "NUMBER", int: "N"}.get(element, "TEXT")


def plain_help(command: Any) -> Any:
    """`command` (Typer's click command) and its subcommands, their help naming values plainly (PATH, NUMBER,
    TEXT) instead of Python type labels such as <list[Path]>. Older Typer versions print plain names already and
    are left alone."""
    for param in command.params:
        if not hasattr(param, "type_descriptor"):
            continue
        label = _value_label(param)
        if param.param_type_name == "argument":
            param.metavar = param.name.upper()
        param.display_type_rich = lambda ctx, label=label: label
    make_help_option = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None and hasattr(option, "type_descriptor"):
            option.display_type_rich = lambda ctx: None
        return option

    command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    return command


def show_warnings_briefly() -> None:
    """Library warnings (e.g. a personal voice made for other model files) as one line on standard error."""
    warnings.showwarning = lambda message, category, *args, **kwargs: typer.echo(f"warning: {message}", err=True)


def main() -> None:
    interrupt_on_termination()
    show_warnings_briefly()
    plain_help(typer.main.get_command(app))()


if __name__ == "__main__":
    main()
