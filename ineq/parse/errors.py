"""Error types of the problem-language parser.

`ParseError` is the only exception the public parse functions raise. It records where the problem
is (1-based `line` and `column` in the text that was parsed, or in the dataset file) and what the
parser `expected` there, and its `str()` shows the offending line with a caret under the column.
"""

from __future__ import annotations

from collections.abc import Iterable


# Long lines are shown as a window of this many characters around the error.
_SHOWN_WIDTH = 100


class ParseError(ValueError):
    """The input is not a well-formed statement / expression / dataset file.

    Attributes:
        message: what is wrong, in words.
        line, column: 1-based position of the problem (column counts characters).
        expected: human-readable descriptions of what would have been accepted there (may be empty).
        source: the text that was parsed (used to show the offending line).
        filename: the file name for dataset files, else None.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        line: int = 1,
        column: int = 1,
        expected: Iterable[str] = (),
        filename: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = max(1, int(line))
        self.column = max(1, int(column))
        self.expected = list(expected)
        self.filename = filename
        super().__init__(message)

    def offending_line(self) -> str:
        lines = self.source.split("\n")
        return lines[self.line - 1] if self.line <= len(lines) else ""

    def relocated(self, *, source: str, line: int, column_offset: int, filename: str | None) -> "ParseError":
        """The same error placed inside a larger text: a statement that sits on `line` of `source`,
        starting at column `column_offset + 1`. Keeps the exception class."""
        clone = type(self).__new__(type(self))
        ParseError.__init__(
            clone,
            self.message,
            source=source,
            line=line + self.line - 1,
            column=self.column + (column_offset if self.line == 1 else 0),
            expected=self.expected,
            filename=filename,
        )
        return clone

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}"
        if self.filename:
            where = f"{self.filename}: {where}"
        parts = [f"{where}: {self.message}"]
        text_line, caret_index = _window(self.offending_line(), self.column - 1)
        if self.source:
            # Tabs are kept in the caret line so that the caret lines up under them.
            pad = "".join("\t" if ch == "\t" else " " for ch in text_line[:caret_index])
            parts.append("    " + text_line)
            parts.append("    " + pad + "^")
        if self.expected:
            parts.append("expected: " + _join_alternatives(self.expected))
        return "\n".join(parts)

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self.source, self.line, self.column, self.expected, self.filename))


class UnsupportedError(ParseError):
    """Well-formed input that the prover does not support (e.g. `sin(x)`, a chained goal)."""


def _rebuild(cls, message, source, line, column, expected, filename):
    error = cls.__new__(cls)
    ParseError.__init__(
        error, message, source=source, line=line, column=column, expected=expected, filename=filename
    )
    return error


def _window(text_line: str, index: int, width: int = _SHOWN_WIDTH) -> tuple[str, int]:
    """At most about `width` characters of `text_line` around `index`, and the index inside them."""
    if len(text_line) <= width:
        return text_line, index
    start = max(0, min(index - width // 2, len(text_line) - width))
    shown = text_line[start : start + width]
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + width < len(text_line) else ""
    return prefix + shown + suffix, index - start + len(prefix)


def _join_alternatives(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return "one of " + ", ".join(items[:-1]) + " or " + items[-1]
