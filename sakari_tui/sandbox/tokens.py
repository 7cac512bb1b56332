"""JWT-shaped access tokens: base64url(header).base64url(claims).base64url(HMAC-SHA256).

The signing key is made per sandbox, so a token from one sandbox is refused by another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from .clock import now


class TokenError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(self, client_id: str, account_id: str, lifetime: float) -> None:
        self.client_id = client_id
        self.account_id = account_id
        self.lifetime = lifetime
        self._key = secrets.token_bytes(32)

    def issue(self) -> str:
        moment = now()
        issued = int(moment)
        # Whole seconds as usual; a fractional lifetime (tests) keeps its precision.
        if float(self.lifetime).is_integer():
            expires: float = int(moment + self.lifetime)
        else:
            expires = round(moment + self.lifetime, 3)
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "sub": self.client_id,
            "account": self.account_id,
            "iat": issued,
            "exp": expires,
            "jti": secrets.token_hex(8),
            "scope": "messages:send",
        }
        signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        return signing_input + "." + _b64(self._sign(signing_input))

    def verify(self, token: str) -> dict[str, Any]:
        """Return the claims of a valid token or raise TokenError."""
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("AUTH-003", "Invalid access token")
        signing_input = parts[0] + "." + parts[1]
        try:
            signature = _unb64(parts[2])
            claims = json.loads(_unb64(parts[1]))
        except (ValueError, UnicodeDecodeError):
            raise TokenError("AUTH-003", "Invalid access token") from None
        if not hmac.compare_digest(signature, self._sign(signing_input)):
            raise TokenError("AUTH-003", "Invalid access token")
        if not isinstance(claims, dict) or not isinstance(claims.get("exp"), (int, float)):
            raise TokenError("AUTH-003", "Invalid access token")
        if claims["exp"] <= now():
            raise TokenError("AUTH-004", "Access token expired")
        return claims

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._key, signing_input.encode("utf-8"), hashlib.sha256).digest()
