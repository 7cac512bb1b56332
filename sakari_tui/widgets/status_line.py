"""The status line: profile, account, connection state, total unread, and the unread
counts of the other profiles (those polled in the background).

It repaints only when one of those changes; a countdown timer runs only while
rate limited, so an idle, healthy app writes nothing to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from sakari_tui.core.connection import ConnectionState, Link
from sakari_tui.core.text import one_line

_LINK_STYLE = {
    Link.CONNECTING: "yellow",
    Link.ONLINE: "green",
    Link.OFFLINE: "bold red",
    Link.RATE_LIMITED: "bold yellow",
    Link.AUTH_FAILED: "bold red",
}


def status_text(
    profile: str, account: str, state: ConnectionState, unread: int, others: Iterable[tuple[str, int]] = ()
) -> Text:
    text = Text()
    text.append(one_line(profile), style="bold")
    text.append(f" · {one_line(account)}", style="dim")
    text.append(" · ")
    text.append("● " + state.describe(), style=_LINK_STYLE.get(state.link, ""))
    if unread:
        text.append(" · ")
        text.append(f"{unread} unread", style="bold cyan")
    others = [(name, count) for name, count in others if count]
    if others:
        text.append(" │ ", style="dim")
        for index, (name, count) in enumerate(others):
            if index:
                text.append(", ", style="dim")
            text.append(one_line(name, 20))
            text.append(f" {count}", style="bold cyan")
        text.append(" unread", style="dim")
    return text


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._shown: Text | None = None
        self._countdown: Timer | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self._refresh_text, init=False)
        self.watch(self.app, "unread_total", self._refresh_text, init=False)
        if hasattr(self.app, "others_unread"):
            self.watch(self.app, "others_unread", self._refresh_text, init=False)
        self._refresh_text()

    def _refresh_text(self, *_: object) -> None:
        app = self.app
        state: ConnectionState = getattr(app, "connection", ConnectionState())
        profile = getattr(app, "profile", None)
        text = status_text(
            profile.name if profile else "",
            profile.account_id if profile else "",
            state,
            getattr(app, "unread_total", 0),
            getattr(app, "others_unread", ()),
        )
        if self._shown is None or text.plain != self._shown.plain or text.spans != self._shown.spans:
            self._shown = text
            self.update(text)
        self._toggle_countdown(state.link is Link.RATE_LIMITED)

    def _toggle_countdown(self, needed: bool) -> None:
        if needed and self._countdown is None:
            self._countdown = self.set_interval(1.0, self._refresh_text)
        elif not needed and self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
