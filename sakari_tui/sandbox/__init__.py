"""A local, self-contained imitation of the Sakari Messaging REST API v1.

It implements the 26 operations of the contract with its own storage, seeded demo data,
expiring tokens, simulated customers and switchable faults. It imports nothing from the
client (``sakari_tui.api``), the core or the UI: it is an independent implementation, so a
bug in the client's models cannot hide behind the same bug here.

    sandbox = Sandbox(SandboxConfig(seed=7), faults=Faults())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url="http://sandbox")
"""

from .app import Sandbox
from .config import Faults, SandboxConfig
from .server import run_in_thread, serve_in_background

__all__ = ["Faults", "Sandbox", "SandboxConfig", "run_in_thread", "serve_in_background"]
