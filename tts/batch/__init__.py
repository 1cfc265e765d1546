"""Batch rendering: a whole script (dialogue, lesson, chapter) into one audio file per line, resumable.

Script formats, chosen by the file extension (UTF-8; blank lines and lines starting with # are ignored):

Text (any extension but those below), one utterance per line:
    @voice NAME         the voice of the lines that follow (default: --voice, else the bundled voice)
    @speed X            the speed of the lines that follow (0.25 to 4; default: --speed)
    @pause 1.5s         silence before the next line in the --combine file (also 500ms; a bare number is seconds)
    [NAME] text         this line only in voice NAME
    [NAME speed=X] text this line only in voice NAME at speed X ([speed=X] text: speed only)
    \\text              a backslash at the start says the rest as it is (for a line starting with @, [, # or \\)
  Any other line is spoken as it is, so "Note: ..." is text, not a voice. Output ids are the line numbers,
  zero-padded to 4 digits (0007.wav). {ARPABET PHONES} in braces works as in `tts say`.

Table (.tsv, .csv): fields separated by a tab, or by | when the first line has no tab:
    id|text   or   id|voice|text   (the first line sets the number of fields; text may contain the separator)
  or a header line naming the columns, from id, voice, speed and text, e.g. id|voice|speed|text. An empty voice
  or speed field takes the default. Not the quoted, comma-separated CSV of spreadsheets.

JSON Lines (.jsonl, .ndjson): one object per line with "text" and optionally "id", "voice" and "speed".

Ids (tables, JSON Lines) become file names: letters, digits, '-', '_', '.'; each id once per script.
"""

from tts.batch.render import BatchInterrupted, BatchResult, FolderInUse, WorkerError, render_batch
from tts.batch.script import Item, Script, ScriptError, parse_script

__all__ = ["BatchInterrupted", "BatchResult", "FolderInUse", "Item", "Script", "ScriptError", "WorkerError",
           "parse_script", "render_batch"]
