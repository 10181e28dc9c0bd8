"""Text as people type it and as a terminal shows it.

:func:`clean_name` is the one rule for names: Unicode NFC (so "José" typed with a combining accent
is the same person as "José" typed with a precomposed one), surrounding spaces trimmed, and no
control, line-break, bidirectional or invisible characters. Case is kept and matters ("Robin"
and "robin" are two names).

:func:`printable` escapes what a terminal would act on (control characters, escape sequences,
bidirectional overrides) when text is *shown*; the data itself is never changed.

>>> clean_name("Jose\\u0301") == "Jos\\u00e9"
True
>>> printable("hi\\x1b]52;c;aGk=\\x07")
'hi\\\\u001b]52;c;aGk=\\\\u0007'
"""

from __future__ import annotations

import unicodedata

from reflect.errors import ValidationError

MAX_NAME_LENGTH = 64

#: Characters that show nothing but are not Unicode "format" characters (fillers, the braille blank,
#: the combining grapheme joiner, Mongolian free variation selectors, Khmer invisible vowels).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f\u180b\u180c\u180d\u180f\u17b4\u17b5")


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refused(ch: str) -> str | None:
    """Why ``ch`` cannot be in a name, or ``None``."""
    if ch in _LINE_BREAKS:
        return "line breaks"
    if ch in _BIDI_CONTROLS:
        return "bidirectional control characters"
    category = unicodedata.category(ch)
    if category == "Cc":
        return "control characters"
    if category in ("Cf", "Cs", "Co", "Cn") or ch in _INVISIBLE:
        return "invisible or unassigned characters"
    if category == "Zs" and ch != " ":
        return "spaces other than the plain space"
    return None


def clean_name(value: object, *, field: str = "person") -> str:
    """A person's name, normalised (NFC, trimmed) and checked: 1 to 64 characters, none of them
    a control, line-break, bidirectional or invisible character."""
    if not isinstance(value, str):
        raise ValidationError("a name is required", field=field)
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise ValidationError("a name is required (it cannot be empty)", field=field)
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"a name can be at most {MAX_NAME_LENGTH} characters (this one has {len(name)})", field=field
        )
    for ch in name:
        why = _refused(ch)
        if why:
            shown = printable(name, keep_newlines=False)
            raise ValidationError(f'a name cannot hold {why} (found U+{ord(ch):04X} in "{shown}")', field=field)
    return name


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # as a JSON-style surrogate pair, so JSON output stays valid JSON
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every character a terminal would act on written as ``\\uXXXX``: control
    characters (C0, DEL, C1; tab and, with ``keep_newlines``, newline excepted), line and
    paragraph separators, bidirectional and other format characters, and lone surrogates."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\t" or (keep_newlines and ch == "\n"):
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def clean_words(value: object, *, field: str, max_length: int, required: bool = True,
                what: str = "a few words") -> str | None:
    """A few words on one line (a topic, an agreement, an item of a list): NFC, trimmed, at most
    ``max_length`` characters, with no line breaks, control, bidirectional or invisible characters.
    Empty (or ``None``) is an error when ``required``, else ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"this cannot be empty ({what})", field=field)
        return None
    if not isinstance(value, str):
        raise ValidationError(f"expected text, got {value!r}", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > max_length:
        raise ValidationError(f"at most {max_length} characters, please (this has {len(text)})", field=field)
    for ch in text:
        why = _refused(ch)
        if why and why != "spaces other than the plain space":
            raise ValidationError(f"this cannot hold {why} (found U+{ord(ch):04X})", field=field)
    return text


def words_key(text: str | None) -> str:
    """Words compared for sameness (an agreement, a repair's steps): case and spacing do not matter."""
    return " ".join((text or "").casefold().split())
