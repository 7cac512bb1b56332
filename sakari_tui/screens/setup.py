"""First run: ask for the credentials, check them against the API, then save.

The check is real: a token is fetched and one page of conversations read.
Until both succeed nothing is written; the API's error is shown in the form.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from phonenumbers import SUPPORTED_REGIONS
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from sakari_tui.api import SakariClient, SakariError
from sakari_tui.api.redaction import Secret, reveal
from sakari_tui.config import DEFAULT_API_URL, Config, Profile, save_config
from sakari_tui.screens.base import SakariScreen
from sakari_tui.styles import style
from sakari_tui.widgets.footer import Footer

FIELDS = (
    ("client_id", "Client id", False),
    ("client_secret", "Client secret", True),
    ("account_id", "Account id", False),
    ("api_url", "API URL", False),
    ("default_region", "Default region (for numbers without +country)", False),
)


def region_is_valid(region: str) -> bool:
    return region.upper() in SUPPORTED_REGIONS


class SetupScreen(SakariScreen[Profile]):
    """Dismissed with the saved profile."""

    CSS_PATH = style("setup")
    # Pushed, not shown as a mode: Textual reads its CSS_PATH after styling it, so its first
    # resume must restyle it (SakariScreen skips that for a mode's new screen).
    _styled_at_mount = False

    BINDINGS = [Binding("escape", "leave", "Quit", id="setup.quit", show=False)]

    def __init__(self, config: Config, profile: Profile, *, transport=None, cancellable: bool = False) -> None:
        super().__init__()
        self.config = config
        self.profile = profile
        self._transport = transport
        # Set up from inside the app (another profile): Escape goes back instead of quitting.
        self.cancellable = cancellable

    def action_leave(self) -> None:
        if self.cancellable:
            self.dismiss(None)
        else:
            self.app.exit()

    def compose(self) -> ComposeResult:
        with VerticalScroll() as form:
            form.border_title = f"Set up profile {self.profile.name}" if self.cancellable else "Set up sakari-tui"
            yield Static(
                Text(
                    "Your API credentials are in the Sakari hub: the cog at the top right, "
                    "then API Credentials. They are saved to " + str(self.config.path) + " (mode 0600).",
                    style="dim",
                )
            )
            defaults = {
                "api_url": self.profile.api_url or DEFAULT_API_URL,
                "default_region": self.profile.default_region,
            }
            for name, label, secret in FIELDS:
                yield Label(label, id=f"label-{name}")
                yield Input(
                    value=defaults.get(name, reveal(getattr(self.profile, name)) or ""),
                    password=secret,
                    id=f"setup-{name}",
                )
            yield Static("", id="setup-error")
            with Horizontal(id="setup-buttons"):
                yield Button("Check and save", id="setup-save", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#setup-client_id", Input).focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#setup-{name}", Input).value.strip()

    def show_error(self, message: str) -> None:
        self.query_one("#setup-error", Static).update(Text(message))

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "setup-default_region":
            self.check_and_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#setup-save")
    def save_pressed(self) -> None:
        self.check_and_save()

    def check_and_save(self) -> None:
        values: dict[str, Any] = {name: self.value(name) for name, _, _ in FIELDS}
        missing = [label for name, label, _ in FIELDS if not values[name]]
        if missing:
            self.show_error("Needed: " + ", ".join(missing))
            return
        if not values["api_url"].startswith(("http://", "https://")):
            self.show_error("The API URL must start with https:// (or http:// for a local sandbox)")
            return
        if not region_is_valid(values["default_region"]):
            self.show_error(f"Unknown region {values['default_region']!r}: use a two-letter code such as US or GB")
            return
        values["default_region"] = values["default_region"].upper()
        self._check(replace(self.profile, **values))

    @work(exclusive=True, group="setup")
    async def _check(self, profile: Profile) -> None:
        button = self.query_one("#setup-save", Button)
        button.disabled = True
        self.show_error("Checking…")
        try:
            async with SakariClient(
                api_url=profile.api_url,
                client_id=profile.client_id,
                client_secret=profile.client_secret or Secret(""),
                account_id=profile.account_id,
                transport=self._transport,
            ) as client:
                await client.authentication.auth_token()
                await client.conversations.fetch_all(limit=1)
        except SakariError as exc:
            self.show_error(f"The API said no: {exc}")
            return
        finally:
            button.disabled = False
        self.config.profiles[profile.name] = profile
        if len(self.config.profiles) == 1:
            self.config.default_profile = profile.name
        try:
            save_config(self.config)
        except OSError as exc:
            self.show_error(f"Could not write {self.config.path}: {exc.strerror or exc}")
            return
        self.dismiss(profile)
