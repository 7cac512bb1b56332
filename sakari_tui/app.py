"""The Textual app: holds the API client for one profile and shows the screens."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from sakari_tui.api import SakariClient, SakariError
from sakari_tui.config import Config, Profile
from sakari_tui.styles import style

if TYPE_CHECKING:
    import httpx


class SakariApp(App[None]):
    TITLE = "Sakari"
    CSS_PATH = [style("base"), style("conversations")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        profile: Profile,
        *,
        data_dir: Path,
        config: Config | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sandbox: Any = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.config = config
        self.data_dir = data_dir
        self._transport = transport
        # In demo mode the app owns an in-process sandbox and runs its simulation on this loop.
        self._sandbox = sandbox
        self.client: SakariClient | None = None
        self.sub_title = f"{profile.name} · {profile.account_id}"
        if config and config.keys:
            self.set_keymap(config.keys)

    async def on_mount(self) -> None:
        if self._sandbox is not None:
            await self._sandbox.start()
        self.client = SakariClient(
            api_url=self.profile.api_url,
            client_id=self.profile.client_id,
            client_secret=self.profile.resolve_secret(),
            account_id=self.profile.account_id,
            transport=self._transport,
        )
        await self.client.__aenter__()
        from sakari_tui.screens.conversations import ConversationsScreen

        await self.push_screen(ConversationsScreen())

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.__aexit__(None, None, None)
        if self._sandbox is not None:
            await self._sandbox.stop()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a failed worker becomes a message to the user."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, SakariError):
            self.notify(str(error), title="Sakari", severity="error", markup=False)
        else:
            self.notify(f"{type(error).__name__}: {error}", title="Unexpected error", severity="error", markup=False)
