"""Keeping the client secret and access tokens out of text we show or log."""

from __future__ import annotations

from collections import deque

from sakari_tui.secret import MASK, Secret

__all__ = ["MASK", "Redactor", "Secret"]


class Redactor:
    """Replaces known secrets in server-supplied text (an error message could echo them)."""

    KEEP_TOKENS = 4  # older tokens are long expired; keep a few in case one is still in use

    def __init__(self) -> None:
        self._secrets: list[str] = []
        self._tokens: deque[str] = deque(maxlen=self.KEEP_TOKENS)

    def add_secret(self, value: str) -> None:
        if value:
            self._secrets.append(value)

    def add_token(self, value: str) -> None:
        if value:
            self._tokens.append(value)

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for value in (*self._secrets, *self._tokens):
            text = text.replace(value, MASK)
        return text

    def __repr__(self) -> str:
        return "Redactor()"
