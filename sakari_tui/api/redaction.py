"""Keeping the client secret and access tokens out of text we show or log.

``Secret``: a string that never shows itself. The client secret travels from the config
file (or ``client_secret_command``) to the one request body that needs it. On the way it
is a ``Secret``: its ``repr``, ``str`` and ``format`` are masked, so a traceback that
prints local variables, a log line, an f-string or a dataclass's repr shows ``***``. Only
``reveal()`` gives the text, where it is sent or written to the config file.
"""

from __future__ import annotations

from collections import deque
from typing import Any

MASK = "***"


class Secret:
    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"a secret is text, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """The secret itself, for the request that sends it or the file that stores it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            other = other.reveal()
        if not isinstance(other, str):
            return NotImplemented
        import hmac  # here: it loads OpenSSL, which start-up does not otherwise need

        return hmac.compare_digest(self._value.encode(), other.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Secret cannot be changed")

    def __reduce__(self) -> Any:
        # Pickling would write the value where nobody asked for it.
        raise TypeError("a Secret is not pickled")


def reveal(value: str | Secret | None) -> str | None:
    """The text of a secret given as a ``Secret`` or a plain string (or None)."""
    return value.reveal() if isinstance(value, Secret) else value


class Redactor:
    """Replaces known secrets in server-supplied text (an error message could echo them)."""

    KEEP_TOKENS = 4  # older tokens are long expired; keep a few in case one is still in use
    # Shorter values are not credentials anyone issues, and masking every "t" in a text would
    # garble it without hiding anything.
    MIN_LENGTH = 4

    def __init__(self) -> None:
        self._secrets: list[str] = []
        self._tokens: deque[str] = deque(maxlen=self.KEEP_TOKENS)

    def add_secret(self, value: str) -> None:
        if len(value) >= self.MIN_LENGTH:
            self._secrets.append(value)

    def add_token(self, value: str) -> None:
        if len(value) >= self.MIN_LENGTH:
            self._tokens.append(value)

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for value in (*self._secrets, *self._tokens):
            text = text.replace(value, MASK)
        return text

    def __repr__(self) -> str:
        return "Redactor()"
