"""Text from AWS made safe to look at: invisible and reordering characters shown as escapes.

A name is shown as written, except for the characters that change how the rest of it reads
without being seen themselves: controls (C0, DEL, C1), bidi embeddings, overrides, isolates
and marks, the byte order mark, line and paragraph separators and every other invisible
format character (Unicode categories Cc, Cf, Cs, Zl, Zp). Each becomes its escape in ASCII
(``\\u202e``), which cannot reorder anything: ``Train\\u202egnp.exe`` never reads as
``Trainexe.png``. Pure, no Dash.

Kept: the zero-width joiners (U+200C, U+200D), which scripts such as Persian and emoji
sequences need and which reorder nothing. A backslash is not doubled, so a name that spells
an escape in ASCII looks like one that holds the character; both read the same, harmlessly.
"""

from __future__ import annotations

import re
import unicodedata

# Categories whose characters are invisible or steer the text around them.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
JOINERS = frozenset({"\u200c", "\u200d"})
LINE_BREAKS = frozenset({"\n", "\r", "\t"})  # kept in text shown on several lines

_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def visible_text(value: str, *, lines: bool = False) -> str:
    """``value`` with every hidden character as its escape; ``lines``: keep line breaks and
    tabs (a failure reason's traceback)."""
    if value.isascii() and _ASCII_CONTROL.search(value) is None:
        return value  # the common case, checked without a loop
    return "".join(_shown(char, lines) for char in value)


def _shown(char: str, lines: bool) -> str:
    if lines and char in LINE_BREAKS:
        return char
    if char in JOINERS or unicodedata.category(char) not in HIDDEN_CATEGORIES:
        return char
    return escape(char)


def escape(char: str) -> str:
    """Python's own spelling: ``\\x1b``, ``\\u202e``, ``\\U000e0041``."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
