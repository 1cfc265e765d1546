"""The `tts` application."""

from __future__ import annotations

import os
import signal

import typer

from cli import evaluate, say, train
from cli import batch
from cli import enroll, voices
from cli import detect

app = typer.Typer(help="Offline text-to-speech with voice cloning, at 16 kHz on an ordinary CPU.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.command(epilog=say.EPILOG)(say.say)
app.command(epilog=batch.EPILOG)(batch.batch)
app.add_typer(train.app, name="train")
app.command(epilog=enroll.EPILOG)(enroll.enroll)
app.add_typer(voices.app, name="voices")
app.command(name="eval", epilog=evaluate.EPILOG)(evaluate.evaluate)
app.command(epilog=detect.EPILOG)(detect.detect)


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


def main() -> None:
    interrupt_on_termination()
    app()


if __name__ == "__main__":
    main()
