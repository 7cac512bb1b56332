"""An access token kept between runs of the one-shot commands, next to the profile's store.

A quick reply from the shell (``sakari-tui send``) is one process per message; fetching a
token each time doubles the round trips. The token the API issued is kept in
``profiles/NAME.token`` beside the profile's SQLite store (mode 0600, written whole or not
at all), with the API URL, client id and account it was issued for and a salted hash of the
client secret it was had with (a changed secret is not served the old secret's token), and
used while it is fresh (``Token.is_fresh``). A token the API refuses is removed before a new one is asked
for. The token is never printed: ``Token``'s repr masks it, and nothing here logs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sakari_tui.api.auth import Token
from sakari_tui.api.redaction import Secret
from sakari_tui.core.paths import token_path

__all__ = ["TokenCache", "token_path"]


@dataclass(frozen=True)
class TokenCache:
    """The kept token of one profile, for one API URL, client id and account."""

    path: Path
    api_url: str
    client_id: str
    account_id: str
    secret: Secret

    def _key(self) -> dict[str, str]:
        return {"api_url": self.api_url, "client_id": self.client_id, "account_id": self.account_id}

    def _secret_check(self, salt: str) -> str:
        import hashlib

        key = bytes.fromhex(salt)
        return hashlib.blake2b(self.secret.reveal().encode(), key=key, digest_size=16).hexdigest()

    def load(self, now: float) -> Token | None:
        """The kept token if it was issued for this profile and is still fresh, else None."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in self._key().items()):
            return None
        salt, check = data.get("salt"), data.get("secret_check")
        try:
            if not (isinstance(salt, str) and isinstance(check, str) and self._secret_check(salt) == check):
                return None
        except ValueError:  # a salt that is not hex
            return None
        token = _token(data)
        return token if token is not None and token.is_fresh(now) else None

    def save(self, token: Token | None) -> None:
        """Keep ``token``, or remove the kept one (None: the API refused it). Never raises:
        a token that cannot be kept is fetched again next time."""
        try:
            if token is None:
                self.path.unlink(missing_ok=True)
                return
            salt = os.urandom(16).hex()
            document = {
                **self._key(),
                "salt": salt,
                "secret_check": self._secret_check(salt),
                "access_token": token.access_token,
                "token_type": token.token_type,
                "issued_at": token.issued_at.timestamp(),
                "expires_at": token.expires_at.timestamp(),
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(document, out)
                os.replace(partial, self.path)
            finally:
                partial.unlink(missing_ok=True)
        except OSError:
            pass


def _token(data: dict[str, Any]) -> Token | None:
    access_token, token_type = data.get("access_token"), data.get("token_type")
    issued_at, expires_at = data.get("issued_at"), data.get("expires_at")
    if not (isinstance(access_token, str) and access_token and isinstance(token_type, str)):
        return None
    if not (_is_time(issued_at) and _is_time(expires_at)):
        return None
    assert isinstance(issued_at, int | float) and isinstance(expires_at, int | float)
    return Token(
        access_token=access_token,
        token_type=token_type,
        issued_at=datetime.fromtimestamp(issued_at, timezone.utc),
        expires_at=datetime.fromtimestamp(expires_at, timezone.utc),
    )


def _is_time(value: object) -> bool:
    """A number of seconds since the epoch, as JSON gives it (not a bool, which is an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
