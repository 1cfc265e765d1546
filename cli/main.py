"""The `tts` application."""

from __future__ import annotations

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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
