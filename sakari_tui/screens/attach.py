"""Attach a file to a reply: checked, uploaded with tools.shareFile, then sent as MMS
media or as a short link in the text, as the agent chooses."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ProgressBar, RadioButton, RadioSet, Static

from sakari_tui.api import SakariError
from sakari_tui.core.text import human_size
from sakari_tui.screens.base import SakariModal
from sakari_tui.widgets.path_input import PathInput

# Carriers commonly cap MMS around 1-5 MB; the file share takes up to 5 MB.
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# What phones can show: pictures, video, audio, contact cards, calendars, PDFs, plain text.
ALLOWED_PREFIXES = ("image/", "video/", "audio/")
ALLOWED_TYPES = {"application/pdf", "text/vcard", "text/x-vcard", "text/calendar", "text/plain"}


class AttachmentProblem(ValueError):
    pass


@dataclass(frozen=True)
class Attachment:
    link: str
    filename: str
    size: int
    content_type: str
    as_mms: bool


def check_attachment(path: Path) -> tuple[str, int]:
    """(content type, size) of a file that can be sent; AttachmentProblem says why not."""
    if not path.name:
        raise AttachmentProblem("Type the path of a file")
    if not path.exists():
        raise AttachmentProblem(f"No such file: {path}")
    if not path.is_file():
        raise AttachmentProblem(f"Not a file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise AttachmentProblem("The file is empty")
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentProblem(f"{human_size(size)} is too big: at most {human_size(MAX_ATTACHMENT_BYTES)}")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if not (content_type.startswith(ALLOWED_PREFIXES) or content_type in ALLOWED_TYPES):
        raise AttachmentProblem(f"{content_type} files cannot be sent: pictures, video, audio, PDF, vCard or text")
    return content_type, size


class AttachScreen(SakariModal[Attachment | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="attach.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Attach a file"
            yield PathInput(id="attach-path")
            yield Static("", id="attach-info")
            with RadioSet(id="attach-mode"):
                yield RadioButton("Send as MMS (the picture or file itself)", value=True, id="mode-mms")
                yield RadioButton("Put a short link in the text", id="mode-link")
            yield ProgressBar(total=100, show_eta=False, id="attach-progress")
            yield Static("", id="attach-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Upload", id="upload", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#attach-progress").display = False
        self.query_one(PathInput).focus()

    @on(PathInput.Changed, "#attach-path")
    def describe(self) -> None:
        info = self.query_one("#attach-info", Static)
        self.query_one("#attach-error", Static).update("")
        path = self.query_one(PathInput).path
        if not path.is_file():
            info.update("")
            return
        try:
            content_type, size = check_attachment(path)
        except AttachmentProblem as exc:
            info.update(Text(str(exc), style="red"))
        else:
            info.update(Text(f"{path.name} · {content_type} · {human_size(size)}", style="dim"))

    @on(PathInput.Submitted, "#attach-path")
    @on(Button.Pressed, "#upload")
    def upload(self) -> None:
        path = self.query_one(PathInput).path
        try:
            content_type, size = check_attachment(path)
        except AttachmentProblem as exc:
            self.query_one("#attach-error", Static).update(Text(str(exc)))
            return
        as_mms = self.query_one("#mode-mms", RadioButton).value
        self._upload(path, content_type, size, as_mms)

    @work(exclusive=True, group="upload")
    async def _upload(self, path: Path, content_type: str, size: int, as_mms: bool) -> None:
        bar = self.query_one("#attach-progress", ProgressBar)
        bar.display = True
        bar.update(total=size, progress=0)
        button = self.query_one("#upload", Button)
        button.disabled = True
        try:
            shared = await self.app.client.tools.share_file(
                path, path.name, content_type, progress=lambda sent, total: bar.update(progress=sent)
            )
        except (SakariError, OSError) as exc:
            self.query_one("#attach-error", Static).update(Text(f"Upload failed: {exc}"))
            bar.display = False
            return
        finally:
            button.disabled = False
        if not shared.link:
            self.query_one("#attach-error", Static).update("Upload failed: the server returned no link")
            return
        self.dismiss(Attachment(shared.link, path.name, size, content_type, as_mms))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
