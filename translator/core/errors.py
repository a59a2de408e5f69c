"""One exception family for bad input (pysubs2 ``exceptions.py`` style).

``str(exc)`` is always a one-line message an editor can act on; never a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """Input the user gave cannot be used. Carries the line number where there is one."""

    def __init__(self, message: str, *, line_no: int | None = None) -> None:
        self.line_no = line_no
        self.reason = message
        if line_no is not None:
            message = f"line {line_no}: {message}"
        super().__init__(message)


class EmptyInputError(InputError):
    """The file or text has nothing to import."""


class InputTooLargeError(InputError):
    """The file is over the configured size limit."""


class DecodingError(InputError):
    """The bytes are not text in any supported encoding (or not in the one asked for)."""


class FormatError(InputError):
    """The text is not a well-formed file of the declared or detected format."""


class NotJapaneseError(DecodingError):
    """The text does not read as Japanese (Chinese, English…) and no override was given."""
