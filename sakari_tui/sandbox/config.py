"""Settings of a sandbox run: what it serves and which faults it injects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SandboxConfig:
    """How the sandbox behaves. The same seed always gives the same demo data."""

    client_id: str = "demo-client"
    client_secret: str = "demo-secret"
    account_id: str = "demo-account"
    seed: int = 7
    # Simulated customers write in every few seconds and answer replies.
    live: bool = False
    # Lifetime of issued tokens, in seconds.
    token_lifetime: float = 3600
    # Seconds between the Queued -> Sent -> Delivered steps of an outbound message.
    status_step: float = 1.0
    # Share of outbound messages that end in Error with a reason.
    error_share: float = 0.05
    # Seconds between two simulated inbound messages when live.
    live_interval: tuple[float, float] = (4.0, 10.0)
    # Optional overrides of the seeded counts (benchmarks want large data sets).
    contacts: int | None = None
    conversations: int | None = None
    # Seeded timestamps are offsets back from this epoch time; None means "now".
    base_time: float | None = None


@dataclass
class Faults:
    """Faults injected per request. Mutable at run time: tests flip fields as they go.

    ``rate_*`` are shares between 0 and 1. 429 and 5xx answers come before the request is
    processed, so nothing is stored; a dropped connection comes after it was processed.
    The token exchange is spared from 429/5xx/drop unless ``token_endpoint`` is True, so a
    client can always authenticate; ``down`` and ``latency`` apply to it as well.
    """

    latency: float = 0.0
    rate_429: float = 0.0
    retry_after: int = 1
    rate_5xx: float = 0.0
    rate_drop: float = 0.0
    down: bool = False
    token_endpoint: bool = False
    # Accepted sends answer as later API versions may: ``{jobId, requested, valid, invalid[]}``
    # without ``messages``, so the client learns no message id.
    send_counters_only: bool = False

    def describe(self) -> str:
        return (
            f"latency={self.latency}s rate_429={self.rate_429} retry_after={self.retry_after}s "
            f"rate_5xx={self.rate_5xx} rate_drop={self.rate_drop} down={self.down}"
            + (" send_counters_only=True" if self.send_counters_only else "")
        )
