"""The profiles of the config file, to switch between (P, or the palette's "Switch to profile").

Each line names a profile, its account, how it stands (on screen, online, not set up, not
available and why) and its unread count. Enter switches; a profile not set up opens the
setup form. Secrets are never shown: only names, account ids and states.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal


class ProfilesScreen(SakariModal[str]):
    """Dismissed with the chosen profile's name, or None."""

    BINDINGS = [Binding("escape,q", "close", "Cancel", id="profiles.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Profiles"
            yield OptionList(*self._options(), id="profile-list")
            yield Static(Text("Enter switches · Esc cancels", style="dim"), id="profiles-hint")

    def _options(self) -> list[Option]:
        app = self.app
        profiles = dict(app.config.profiles) if app.config is not None else {}
        profiles.setdefault(app.profile.name, app.profile)  # a profile given only by the environment
        rows = [
            (name, one_line(name, 24), one_line(profile.account_id or "-", 24), *app.profile_state(profile))
            for name, profile in sorted(profiles.items())
        ]
        # In columns: name, account, unread, state (last: its length varies, up to a reason).
        name_width = max(len(row[1]) for row in rows)
        account_width = max(len(row[2]) for row in rows)
        counts = {row[0]: f"{row[4]} unread" if row[4] else "" for row in rows}
        count_width = max(len(count) for count in counts.values())
        options = []
        for name, shown_name, account, state, _unread in rows:
            line = Text()
            line.append(shown_name.ljust(name_width), style="bold")
            line.append("  ")
            line.append(account.ljust(account_width), style="dim")
            line.append("  ")
            if count_width:
                line.append(counts[name].ljust(count_width), style="bold cyan")
                line.append("  ")
            line.append(one_line(state, 60))
            options.append(Option(line, id=name))
        return options

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        app = self.app
        current = app.profile.name
        others = [i for i, option in enumerate(listing.options) if option.id != current]
        # The first other profile that can be switched to at once, else the first other.
        ready = [i for i in others if listing.options[i].id in app.sessions]
        listing.highlighted = (ready or others or [0])[0]
        listing.focus()

    @on(OptionList.OptionSelected, "#profile-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
