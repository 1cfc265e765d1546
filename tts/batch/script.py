"""Reading a batch script into utterances: plain text with directives, tables (.tsv, .csv) or JSON Lines.

The format follows the file extension: .tsv is a table of tab- or |-separated fields, .csv a comma-separated table
(quoted fields), .jsonl and .ndjson are JSON Lines, anything else is the text format. See tts/batch/__init__.py
for the syntax of each.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from tts.errors import InvalidInput, TTSError
from tts.limits import MAX_PAUSE, MAX_SPEED, MIN_SPEED, PARAGRAPH_PAUSE, SENTENCE_PAUSE
from tts.voices import DEFAULT_VOICE, VoiceError, check_name, printable

DEFAULT_GAP = SENTENCE_PAUSE  # seconds between two lines in a --combine file (@gap changes it)
MAX_SCRIPT_BYTES = 64 << 20
MAX_SHOWN = 40  # characters of a bad value quoted in a message
MAX_ID_CHARS = 100
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
TABLE_SUFFIXES = {".tsv"}
CSV_SUFFIXES = {".csv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
COLUMNS = ("id", "voice", "speed", "text")
JSON_KEYS = {"id", "voice", "text", "speed", "pause"}
_DIRECTIVE = re.compile(r"@([A-Za-z_]+)(?:\s+(.*))?")
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)?", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n?|\n")  # not str.splitlines: U+2028 and the like may be inside a JSON string


class ScriptError(TTSError, ValueError):
    """A problem with a script file, or with one of its lines (`line` is then its 1-based number)."""

    def __init__(self, file: str | Path, line: int | None, reason: str) -> None:
        reason = printable(reason)  # one line, no terminal escapes
        self.file, self.line, self.reason = str(file), line, reason
        super().__init__(f"{self.file}:{line}: {reason}" if line else f"{self.file}: {reason}")


@dataclass
class Item:
    """One utterance: its output name, where it came from and how to say it."""

    id: str
    line_no: int
    voice: str
    text: str
    speed: float = 1.0
    pause_before: float = 0.0  # seconds of silence before it in a --combine file (0 for the first line)
    pause_after: float = 0.0  # only on the last item: pauses after the last line of the script


@dataclass
class Script:
    path: Path
    items: list[Item] = field(default_factory=list)
    errors: list[ScriptError] = field(default_factory=list)


class _LineError(Exception):
    """Internal: the current line is bad, for this reason."""


def parse_script(path: str | Path, default_voice: str | None = None, default_speed: float = 1.0) -> Script:
    """Parse `path` into items and per-line errors. A missing, unreadable or empty file raises ScriptError."""
    path = Path(path)
    lines = _read_lines(path)
    default_voice = default_voice or DEFAULT_VOICE
    check_name(default_voice)
    try:
        _check_speed(default_speed)
    except _LineError as exc:
        raise InvalidInput(str(exc)) from None
    suffix = path.suffix.lower()
    parser = (_TableParser if suffix in TABLE_SUFFIXES else _CsvParser if suffix in CSV_SUFFIXES
              else _JsonlParser if suffix in JSONL_SUFFIXES else _TextParser)
    script = Script(path)
    parser(script, default_voice, default_speed).parse(lines)
    if not script.items and not script.errors:
        raise ScriptError(path, None, "has nothing to say: only blank lines, comments or directives")
    return script


def _read_lines(path: Path) -> list[str]:
    if path.is_dir():
        raise ScriptError(path, None, "is a folder, not a script file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SCRIPT_BYTES + 1)
    except FileNotFoundError:
        raise ScriptError(path, None, "script file not found") from None
    except OSError as exc:
        raise ScriptError(path, None, f"cannot read the script: {exc.strerror}") from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise ScriptError(path, None, f"the script is larger than {MAX_SCRIPT_BYTES >> 20} MB: split it into parts")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ScriptError(path, line, "is not UTF-8 text: save the script as UTF-8") from None
    if not text.strip():
        raise ScriptError(path, None, "the script is empty")
    return _NEWLINE.split(text)


def _show(value: str) -> str:
    """`value` quoted in a message, cut to MAX_SHOWN characters."""
    return value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN - 3] + "..."


def _check_speed(speed: float) -> float:
    if not (math.isfinite(speed) and MIN_SPEED <= speed <= MAX_SPEED):
        raise _LineError(f"speed {speed:g} is out of range: use {MIN_SPEED} to {MAX_SPEED}")
    return speed


def _parse_speed(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _LineError("speed must be a number")
    try:
        speed = float(value)
    except ValueError:
        raise _LineError(f"speed must be a number, got '{_show(value)}'") from None
    except OverflowError:  # an integer too large for a float
        speed = math.inf
    return _check_speed(speed)


def _parse_voice(value: str) -> str:
    try:
        return check_name(value)
    except VoiceError as exc:
        raise _LineError(str(exc)) from None


def _parse_duration(value: str, name: str = "pause") -> float:
    match = _DURATION.fullmatch(value.strip())
    if not match:
        raise _LineError(f"bad {name} '{_show(value)}': use seconds or milliseconds, e.g. 1.5s or 500ms")
    seconds = float(match.group(1)) / (1000 if (match.group(2) or "s").lower() == "ms" else 1)
    if seconds > MAX_PAUSE:
        raise _LineError(f"{name} of {seconds:g} s is longer than the limit of {MAX_PAUSE:g} s "
                         "(for milliseconds write e.g. 500ms)")
    return seconds


def _parse_json_pause(value: object) -> float:
    if isinstance(value, str):
        return _parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_PAUSE:
        raise _LineError(f'"pause" must be 0 to {MAX_PAUSE:g} seconds, e.g. 1.5 or "500ms"')
    return float(value)


def _check_id(value: str) -> str:
    if not value:
        raise _LineError("the id is empty")
    if len(value) > MAX_ID_CHARS or not ID_PATTERN.fullmatch(value) or ".." in value or value.endswith("."):
        raise _LineError(f"invalid id '{_show(value)}': use up to {MAX_ID_CHARS} letters, digits, '-', '_' or '.', "
                         "starting with a letter or digit (it becomes a file name)")
    return value


class _Parser:
    def __init__(self, script: Script, voice: str, speed: float) -> None:
        self.script, self.voice, self.speed = script, voice, speed
        self.pending_pause: float | None = None  # an explicit pause (@pause, "pause") before the next line
        self.gap = DEFAULT_GAP
        self.paragraph = False  # a blank line since the last line
        self.ids: dict[str, int] = {}

    def parse(self, lines: list[str]) -> None:
        for line_no, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line:
                self.paragraph = True
                continue
            if line.startswith("#"):
                continue
            try:
                self.line(line, line_no)
            except _LineError as exc:
                self.script.errors.append(ScriptError(self.script.path, line_no, str(exc)))
        if self.pending_pause and self.script.items:
            self.script.items[-1].pause_after = self.pending_pause

    def line(self, line: str, line_no: int) -> None:
        raise NotImplementedError

    def add(self, line_no: int, text: str, voice: str | None = None, speed: float | None = None,
            id: str | None = None) -> None:
        if not text.strip():
            raise _LineError("no text to say")
        id = _check_id(id) if id is not None else f"{line_no:04d}"
        if id in self.ids:
            raise _LineError(f"duplicate id '{id}' (first used on line {self.ids[id]})")
        self.ids[id] = line_no
        self.script.items.append(Item(id, line_no, voice or self.voice, text.strip(),
                                      self.speed if speed is None else speed, self.pause_before()))
        self.pending_pause, self.paragraph = None, False

    def pause_before(self) -> float:
        """Silence before the next line: an explicit pause, else after a blank line a paragraph pause (at least the
        gap), else the gap; nothing before the first line unless a pause is given."""
        if self.pending_pause is not None:
            return self.pending_pause
        if not self.script.items:
            return 0.0
        return max(self.gap, PARAGRAPH_PAUSE) if self.paragraph else self.gap


class _TextParser(_Parser):
    def line(self, line: str, line_no: int) -> None:
        if line.startswith("\\"):  # escape: speak a line that starts with @, [, # or \ as it is
            self.add(line_no, line[1:])
        elif line.startswith("@"):
            self.directive(line)
        elif line.startswith("["):
            self.prefixed(line, line_no)
        else:
            self.add(line_no, line)

    def directive(self, line: str) -> None:
        match = _DIRECTIVE.fullmatch(line)
        name = match.group(1).lower() if match else ""
        arg = (match.group(2) or "").strip() if match else ""
        if name not in ("voice", "speed", "pause", "gap"):
            raise _LineError(f"unknown directive '{_show(line.split()[0])}': use @voice NAME, @speed X, "
                             "@pause DURATION or @gap DURATION (to say a line starting with @, begin it with a "
                             "backslash)")
        if not arg or len(arg.split()) != 1:
            example = {"voice": "@voice joe", "speed": "@speed 1.2", "pause": "@pause 1.5s", "gap": "@gap 0.3s"}[name]
            raise _LineError(f"@{name} takes one value, e.g. '{example}'")
        if name == "voice":
            self.voice = _parse_voice(arg)
        elif name == "speed":
            self.speed = _parse_speed(arg)
        elif name == "gap":
            self.gap = _parse_duration(arg, "gap")
        else:
            pause = (self.pending_pause or 0.0) + _parse_duration(arg)
            if pause > MAX_PAUSE:
                raise _LineError(f"pauses in a row add up to {pause:g} s, longer than the limit of {MAX_PAUSE:g} s")
            self.pending_pause = pause

    def prefixed(self, line: str, line_no: int) -> None:
        end = line.find("]")
        if end < 0:
            raise _LineError("'[' without ']': start the line with [VOICE], [speed=X] or [VOICE speed=X] "
                             "(to say a line starting with [, begin it with a backslash)")
        voice = speed = None
        words = line[1:end].split()
        if not words:
            raise _LineError("empty [] prefix: write [VOICE], [speed=X] or [VOICE speed=X]")
        for word in words:
            if "=" in word:
                key, value = word.split("=", 1)
                if key.lower() != "speed":
                    raise _LineError(f"unknown setting '{_show(key)}' in the [...] prefix: only speed=X is known")
                speed = _parse_speed(value)
            elif voice is not None:
                raise _LineError(f"two voices in the [...] prefix: '{voice}' and '{_show(word)}'")
            else:
                voice = _parse_voice(word)
        self.add(line_no, line[end + 1:], voice, speed)


class _TableParser(_Parser):
    """Fields separated by a tab, or by | when the first line has no tab."""

    columns: list[str] | None = None
    delimiter = ""

    def line(self, line: str, line_no: int) -> None:
        self.delimiter = self.delimiter or ("\t" if "\t" in line else "|")
        fields = self.split(line)
        if self.columns is None:
            names = [f.strip().lower() for f in fields]
            if "text" in names and set(names) <= set(COLUMNS) and len(set(names)) == len(names):
                self.columns = names  # a header line
                return
            if len(fields) not in (2, 3):
                self.columns = ["id", "text"]
                raise _LineError(f"expected 2 fields (id{self.show}text) or 3 (id{self.show}voice{self.show}text), "
                                 f"found {len(fields)}{self.hint(line)}")
            self.columns = ["id", "text"] if len(fields) == 2 else ["id", "voice", "text"]
        last = len(self.columns) - 1
        if self.columns[-1] == "text" and len(fields) > last:  # the text may hold the separator
            fields = fields[:last] + [self.delimiter.join(fields[last:])]
        if len(fields) != len(self.columns):
            raise _LineError(f"expected {len(self.columns)} fields ({self.show.join(self.columns)}), "
                             f"found {len(fields)}{self.hint(line)}")
        row = {column: field.strip() for column, field in zip(self.columns, fields)}
        self.add(line_no, row["text"], _parse_voice(row["voice"]) if row.get("voice") else None,
                 _parse_speed(row["speed"]) if row.get("speed") else None, row.get("id"))

    def split(self, line: str) -> list[str]:
        return line.split(self.delimiter)

    def hint(self, line: str) -> str:
        return ""

    @property
    def show(self) -> str:
        return "<TAB>" if self.delimiter == "\t" else self.delimiter


class _CsvParser(_TableParser):
    """Comma-separated values as spreadsheets write them: a field in double quotes may hold commas and "" for a
    quote. One record per line."""

    delimiter = ","

    def split(self, line: str) -> list[str]:
        try:
            return next(csv.reader([line], strict=True))
        except csv.Error as exc:
            raise _LineError(f"not valid CSV ({exc}): put a field with commas or quotes in double quotes, "
                             'writing a quote inside as ""') from None

    def hint(self, line: str) -> str:
        if "|" not in line:
            return ""
        return " (a .csv file separates fields with commas: name the file .tsv for id|text lines)"


class _JsonlParser(_Parser):
    def line(self, line: str, line_no: int) -> None:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
            raise _LineError(f"not valid JSON: {exc}") from None
        if not isinstance(record, dict):
            raise _LineError('expected a JSON object like {"id": "intro", "voice": "joe", "text": "Hello."}')
        unknown = sorted(record.keys() - JSON_KEYS)
        if unknown:
            raise _LineError(f"unknown key(s) {_show(', '.join(unknown))}: use id, voice, text, speed and pause")
        text, voice, id = record.get("text"), record.get("voice"), record.get("id")
        if not isinstance(text, str):
            raise _LineError('"text" is missing or is not a string')
        if voice is not None and not isinstance(voice, str):
            raise _LineError('"voice" must be a string')
        if id is not None and (isinstance(id, bool) or not isinstance(id, (str, int))):
            raise _LineError('"id" must be a string or an integer')
        speed = _parse_speed(record["speed"]) if record.get("speed") is not None else None
        pause = _parse_json_pause(record["pause"]) if record.get("pause") is not None else None
        self.add(line_no, text, _parse_voice(voice) if voice else None, speed,
                 None if id is None else str(id))
        self.pending_pause = pause  # after this line
