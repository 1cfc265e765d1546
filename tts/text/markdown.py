"""Markdown -> plain text paragraphs, read as a person reads the page aloud.

Headings, paragraphs, list items, block quotes and table rows keep their words; the marks around them (#, *, _,
~~, `, >, bullets, list numbers, table pipes) are dropped, a link is read as its text, an image and a code block
(fenced or indented) are skipped, and HTML tags, comments and YAML front matter are dropped. Each heading,
paragraph, list and table becomes one paragraph (paragraphs are separated by a blank line, so each is followed by
a paragraph pause when spoken); a heading, list item and table row each end a sentence. List numbers are dropped
like bullets; a heading that is only the numeral I ("# I") is read as one.
"""

from __future__ import annotations

import html
import re

_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_QUOTE = re.compile(r"^(?:[^\S\n]{0,3}>[^\S\n]?)+")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_=])(?:\s*\1){2,}\s*$")
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*$")
_CODE_SPAN = re.compile(r"(`+)\s*(.*?)\s*\1")
_INLINE = [
    (re.compile(r"\[\^[^\]]*\]"), ""),  # footnote marks
    (re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])?"), ""),  # images
    (re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])?"), r"\1"),  # links: their text
    (re.compile(r"<((?:https?://|mailto:)[^\s>]+)>"), r"\1"),  # autolinks: the address
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # HTML tags
    (re.compile(r"(?<!\\)(\*{1,3}|~~)(?=\S)(.+?)(?<=[^\s\\])\1"), r"\2"),  # emphasis, strikethrough
    (re.compile(r"(?<![\w\\])(_{1,3})(?=\S)(.+?)(?<=[^\s\\])\1(?!\w)"), r"\2"),  # emphasis with _, not snake_case
    (re.compile(r"\\([\\`*_\[\]()#+\-.!|>~])"), r"\1"),  # backslash escapes
]
_SENTENCE_END = (".", "!", "?", "\u2026")


def markdown_to_text(source: str) -> str:
    """Markdown -> plain text: one paragraph per heading, paragraph, list or table, separated by blank lines."""
    source = _COMMENT.sub("", _FRONT_MATTER.sub("", source.replace("\r\n", "\n").replace("\r", "\n")))
    paragraphs: list[str] = []
    pieces: list[str] = []  # of the block being read: its lines, its list items or its table rows
    block = ""  # what is being read: "", "paragraph", "heading", "list", "table" or "code" (indented)
    fence = ""  # the opening ``` or ~~~ while inside a fenced code block
    in_list = False  # an indented line after a blank line in a list is more of the list, not code

    def end(kind: str = "") -> None:
        """Finish the block being read; `kind` is the one that starts."""
        nonlocal block
        if block == "paragraph":
            pieces[:] = [_inline(" ".join(pieces))]
        elif block in ("list", "table", "heading"):
            pieces[:] = [_sentence(_inline(piece)) for piece in pieces]
        text = " ".join(piece for piece in pieces if piece)
        if text:
            paragraphs.append(text)
        pieces.clear()
        block = kind

    for raw in source.split("\n"):
        line = _QUOTE.sub("", raw)
        if line.strip() and not line[0].isspace():
            in_list = False
        if fence:
            if line.strip().startswith(fence):
                fence = ""
        elif match := _FENCE.match(line):
            end()
            fence = match.group(1)
        elif not line.strip():
            if block != "code":
                end()
        elif _INDENTED.match(line) and (block == "code" or (block == "" and not in_list)):
            block = "code"
        elif match := _HEADING.match(line):
            end("heading")
            pieces.append(_roman_heading(match.group(1) or ""))
            end()
        elif block == "paragraph" and _UNDERLINE.match(line):
            block = "heading"  # the paragraph above is a setext heading
            pieces[:] = [_roman_heading(" ".join(pieces))]
            end()
        elif _RULE.match(line) or _LINK_DEFINITION.match(line):
            end()
        elif match := _ITEM.match(line):
            if block != "list":
                end("list")
            in_list = True
            pieces.append(line[match.end():].strip())
        elif line.lstrip().startswith("|") or (block == "table" and "|" in line):
            if block != "table":
                end("table")
            if not _TABLE_SEPARATOR.match(line):
                pieces.append(", ".join(cell.strip() for cell in line.strip().strip("|").split("|")))
        elif block == "list":
            pieces[-1] += " " + line.strip()  # the item goes on
        else:
            if block != "paragraph":
                end("paragraph")
            pieces.append(line.strip())
    end()
    return "\n\n".join(paragraphs)


def _roman_heading(text: str) -> str:
    """A heading that is only 'I' is the numeral one (normalize reads any other lone numeral, but leaves I alone)."""
    return "1" if text.strip().rstrip(".:") == "I" else text


def _inline(text: str) -> str:
    """Inline Markdown and HTML -> the words: code spans keep their text as it is."""
    parts = _CODE_SPAN.split(text)  # text, fence, code, text, fence, code, ..., text
    for i in range(0, len(parts), 3):
        for pattern, replacement in _INLINE:
            parts[i] = pattern.sub(replacement, parts[i])
        parts[i] = html.unescape(parts[i])
    return " ".join("".join(part for i, part in enumerate(parts) if i % 3 != 1).split())


def _sentence(text: str) -> str:
    """`text` ending a sentence: a period added unless it ends with . ! ? or an ellipsis."""
    return text if not text or text.endswith(_SENTENCE_END) else text + "."
