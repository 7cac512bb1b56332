"""Hand a conversation on: its whole thread as plain text or JSON, to the clipboard (OSC 52,
which reaches the local clipboard over SSH) or to a file. The thread is read from the API,
every page, not from what the screen happens to hold (core/export.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from sakari_tui.api import SakariError
from sakari_tui.core.export import Thread, fetch_thread, render, suggested_name
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal

# Many terminals cap an OSC 52 write (xterm and tmux at about 100 kB of base64).
CLIPBOARD_WARN_BYTES = 74_000


class ExportScreen(SakariModal[None]):
    BINDINGS = [Binding("escape", "close", "Cancel", id="export.cancel")]

    def __init__(self, conversation_id: str, name: str) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.contact_name = name
        self.format = "text"
        self.thread: Thread | None = None
        self._replace: Path | None = None  # a file the agent was told exists; a second Save replaces it

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Export the conversation"
            yield Static(Text.assemble(("With ", "dim"), (one_line(self.contact_name, 50), "bold")))
            with RadioSet(id="export-format"):
                yield RadioButton("Plain text, for a ticket", value=True, id="format-text")
                yield RadioButton("JSON, the API's objects", id="format-json")
            yield Static(Text("Copy it, or save it to this file:", style="dim"))
            yield Input(self._default_path(), id="export-path", placeholder="file to write")
            yield Static("", id="export-status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", action="screen.close")
                yield Button("Copy to clipboard", id="copy")
                yield Button("Save to file", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#copy", Button).focus()

    def _default_path(self) -> str:
        name = suggested_name({"id": self.conversation_id, "contact": {"firstName": self.contact_name}}, self.format)
        return str(Path("~") / name)

    @on(RadioSet.Changed, "#export-format")
    def format_changed(self, event: RadioSet.Changed) -> None:
        previous_default = self._default_path()
        self.format = "json" if event.pressed.id == "format-json" else "text"
        path = self.query_one("#export-path", Input)
        if path.value == previous_default:  # not edited: follow the format's extension
            path.value = self._default_path()

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#export-status", Static).update(Text(text, style=style))

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#copy")
    def copy(self) -> None:
        self.export(None)

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._status("Give a file to write.", "red")
            return
        self.export(Path(raw).expanduser())

    @work(exclusive=True, group="export")
    async def export(self, target: Path | None) -> None:
        if target is not None and await asyncio.to_thread(target.exists) and target != self._replace:
            self._replace = target
            self._status(f"{target} exists: Save again to replace it.", "yellow")
            return
        self._status("Reading the whole thread…")
        self.query_one(Vertical).loading = True
        try:
            await self.app.connected.wait()
            self.thread = await fetch_thread(self.app.client, self.conversation_id)
        except SakariError as exc:
            self._status(f"Could not read the thread: {exc}", "red")
            return
        finally:
            self.query_one(Vertical).loading = False
        text = render(self.thread, self.format)
        count = len(self.thread.messages)
        if target is None:
            self.app.copy_to_clipboard(text)
            note = (
                " (large: some terminals cut clipboard writes this long)"
                if len(text.encode()) > CLIPBOARD_WARN_BYTES
                else ""
            )
            self.app.notify(f"{count} messages copied to the clipboard{note}.", markup=False)
        else:
            try:
                await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
                await asyncio.to_thread(target.write_text, text, encoding="utf-8")
            except OSError as exc:
                self._status(f"Could not write {target}: {exc.strerror or exc}", "red")
                return
            self.app.notify(f"{count} messages written to {target}.", markup=False)
        self.dismiss(None)
