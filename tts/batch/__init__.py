"""Batch rendering: a whole script (dialogue, lesson, chapter) into one audio file per line, resumable.

Script formats, chosen by the file extension (UTF-8; lines starting with # are ignored). In every format a blank
line is a paragraph pause in the --combine file (0.75 s, tts say's paragraph silence, or the gap if that is longer);
other lines are the gap apart (0.35 s unless @gap says otherwise).

Text (any extension but those below), one utterance per line:
    @voice NAME         the voice of the lines that follow (default: --voice, else the bundled voice)
    @speed X            the speed of the lines that follow (0.25 to 4; default: --speed)
    @pause 1.5s         silence before the next line in the --combine file (also 500ms; a bare number is seconds),
                        instead of the gap or paragraph pause
    @gap 0.3s           silence between the lines that follow, in the --combine file
    [NAME] text         this line only in voice NAME
    [NAME speed=X] text this line only in voice NAME at speed X ([speed=X] text: speed only)
    \\text              a backslash at the start says the rest as it is (for a line starting with @, [, # or \\)
  Any other line is spoken as it is, so "Note: ..." is text, not a voice. Output ids are the line numbers,
  zero-padded to 4 digits (0007.wav). {ARPABET PHONES} in braces works as in `tts say`.

Table (.tsv): fields separated by a tab, or by | when the first line has no tab:
    id|text   or   id|voice|text   (the first line sets the number of fields; text may contain the separator)
  or a header line naming the columns, from id, voice, speed and text, e.g. id|voice|speed|text. An empty voice
  or speed field takes the default.

CSV (.csv): the same columns separated by commas, one record per line, as spreadsheets save them: a field in
  double quotes may hold commas, and "" is a quote inside it (intro,"She said ""hi"", then left.").

JSON Lines (.jsonl, .ndjson): one object per line with "text" and optionally "id", "voice", "speed" and "pause"
  (seconds of silence after this line in the --combine file, or a string such as "500ms").

Ids (tables, JSON Lines) become file names: letters, digits, '-', '_', '.'; each id once per script.
"""

from tts.batch.render import BatchInterrupted, BatchResult, FolderInUse, WorkerError, render_batch
from tts.batch.script import Item, Script, ScriptError, parse_script

__all__ = ["BatchInterrupted", "BatchResult", "FolderInUse", "Item", "Script", "ScriptError", "WorkerError",
           "parse_script", "render_batch"]
