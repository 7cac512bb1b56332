"""Every failure the client raises is a ``SakariError``.

The UI shows ``str(error)``; for API errors that is ``"CODE: message"``. None of these
classes ever hold the client secret or an access token: the transport redacts both from
any server text before it gets here.
"""

from __future__ import annotations


class SakariError(Exception):
    """Base class of everything this package raises on purpose.

    ``while_authenticating`` is True when the call failed while getting an access token:
    its own request was never sent, so the server cannot have acted on it (a send that
    fails so was not sent, whatever the token request's failure says).
    """

    while_authenticating: bool = False


class ApiError(SakariError):
    """The server answered with an error status and (usually) a JSON error body."""

    def __init__(self, status: int, code: str | None = None, message: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(status, code, message)

    def __str__(self) -> str:
        if self.code and self.message:
            return f"{self.code}: {self.message}"
        return self.message or self.code or f"HTTP {self.status}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, message={self.message!r})"


class AuthError(ApiError):
    """Credentials were refused: the token endpoint said no, or the API kept answering
    401 after a fresh token, or 403 (not allowed)."""


class RateLimited(ApiError):
    """429 Too Many Requests. ``retry_after`` is the server's hint in seconds, if it gave one."""

    def __init__(
        self,
        status: int = 429,
        code: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message)
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = super().__str__()
        if text == f"HTTP {self.status}":
            text = "Rate limited"
        if self.retry_after is not None:
            text += f" (retry after {self.retry_after:g} s)"
        return text


class NetworkError(SakariError):
    """The request did not get an HTTP answer: refused, reset, timed out, dropped.

    ``may_have_been_sent`` is False only when the connection was never made, so the server
    cannot have seen the request. When it is True the outcome of a send is unknown.
    """

    def __init__(self, message: str, *, may_have_been_sent: bool) -> None:
        self.message = message
        self.may_have_been_sent = may_have_been_sent
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"NetworkError({self.message!r}, may_have_been_sent={self.may_have_been_sent})"


class BadResponse(SakariError):
    """The server answered, but not with what the API promises: not JSON (a proxy's HTML
    error page, say) or JSON of the wrong shape. ``excerpt`` is the start of the body."""

    def __init__(self, reason: str, *, status: int | None = None, excerpt: str = "") -> None:
        self.reason = reason
        self.status = status
        self.excerpt = excerpt
        super().__init__(reason, status, excerpt)

    def __str__(self) -> str:
        where = f" (HTTP {self.status})" if self.status is not None else ""
        text = f"Unexpected response{where}: {self.reason}"
        if self.excerpt:
            text += f": {self.excerpt!r}"
        return text

    def __repr__(self) -> str:
        return f"BadResponse({self.reason!r}, status={self.status}, excerpt={self.excerpt!r})"
