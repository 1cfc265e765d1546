"""The library's exceptions for problems the user can fix (bad input, files, options, missing consent).

Every such exception is a TTSError, whose message says what is wrong and what to do; the command line shows it
as one line. Any other exception is a bug and keeps its traceback. Deliberately free of torch and numpy."""

from __future__ import annotations


class TTSError(Exception):
    """An error the user can fix; the CLI shows its message as one line."""


class InvalidInput(TTSError, ValueError):
    """A value, option or file content out of what the library accepts."""


class MissingExtraError(TTSError, RuntimeError):
    """An optional dependency (an extra of the package) is not installed; the message names the install command."""
