"""Adding an OpenAPI document to the API console: preview it, name it, choose its server."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from sakari_tui.core.openapi import ApiDocument, SpecError, load_document_async
from sakari_tui.core.sources import (
    SourceEntry,
    check_name,
    check_server_url,
    default_server,
    suggest_name,
)
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal

PREVIEW_OPERATIONS = 500  # more than this are counted, not listed


def preview(document: ApiDocument) -> Group:
    """Title, version, servers, authentication and every operation, as plain text."""
    lines: list[Text] = []
    head = Text(one_line(document.title, 60), style="bold")
    head.append(f" {one_line(document.version, 20)}")
    head.append(f" · OpenAPI {one_line(document.openapi, 10)}", style="dim")
    lines.append(head)
    if document.servers:
        for server in document.servers:
            line = Text("server ", style="dim")
            line.append(one_line(server.url, 100))
            if server.description:
                line.append(f"  {one_line(server.description, 40)}", style="dim")
            lines.append(line)
    else:
        lines.append(Text("no servers listed: give the server URL below", style="yellow"))
    for scheme in document.security_schemes.values():
        line = Text("auth ", style="dim")
        line.append(f"{one_line(scheme.name, 40)} ({one_line(scheme.describe(), 30)})")
        if scheme.is_bearer:
            line.append(" · sent with this profile's Sakari token", style="dim")
        lines.append(line)
    count = len(document.operations)
    lines.append(Text(f"{count} operation{'s' if count != 1 else ''}", style="bold"))
    for operation in document.operations[:PREVIEW_OPERATIONS]:
        line = Text()
        line.append(f"{operation.method:<7}", style="bold")
        line.append(one_line(operation.path, 80))
        line.append(f"  {one_line(operation.operation_id or '(no operationId)', 60)}", style="cyan")
        if operation.summary:
            line.append(f"  {one_line(operation.summary, 80)}", style="dim")
        lines.append(line)
        if operation.parameters:
            params = Text("       ", style="dim")
            for index, parameter in enumerate(operation.parameters):
                if index:
                    params.append(", ", style="dim")
                params.append(one_line(parameter.name, 40))
                if parameter.required:
                    params.append("*", style="red")
                params.append(f" ({parameter.location})", style="dim")
            lines.append(params)
        if operation.request_body is not None:
            kinds = ", ".join(one_line(m.media_type, 40) for m in operation.request_body.content)
            lines.append(Text(f"       body: {kinds}", style="dim"))
    if count > PREVIEW_OPERATIONS:
        lines.append(Text(f"… and {count - PREVIEW_OPERATIONS} more", style="dim"))
    return Group(*lines)


class SourceDialog(SakariModal["tuple[SourceEntry, ApiDocument] | None"]):
    """Preview a document from a path or URL; Add returns (entry, document)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="source_dialog.cancel")]

    def __init__(self, taken: set[str], *, saved: bool = True) -> None:
        super().__init__()
        self.taken = set(taken)
        self.saved = saved
        self.document: ApiDocument | None = None
        self.previewed: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Add an OpenAPI spec"
            box.border_subtitle = "Enter previews · Esc cancels"
            yield Static(Text("An OpenAPI 3 document, JSON or YAML: a file path or an http(s) URL"), classes="hint")
            yield Input(
                placeholder="~/specs/api.yaml or https://example.com/openapi.json", id="spec-location", compact=True
            )
            yield Static("", id="spec-error", classes="error")
            with VerticalScroll(id="spec-preview-scroll"):
                yield Static("", id="spec-preview")
            with Horizontal(classes="field-row"):
                yield Label("Name", classes="field-label")
                yield Input(id="spec-name", compact=True, disabled=True)
            with Horizontal(classes="field-row"):
                yield Label("Server URL", classes="field-label")
                yield Input(id="spec-server", compact=True, disabled=True, placeholder="https://…")
            note = "" if self.saved else "This session has no config file: the spec is kept until you quit."
            yield Static(Text(note, style="dim"), id="spec-note", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True, action="screen.cancel")
                yield Button("Preview", id="preview", compact=True)
                yield Button("Add", id="add", variant="primary", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#spec-location", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#spec-location")
    @on(Button.Pressed, "#preview")
    def preview_requested(self) -> None:
        location = self.query_one("#spec-location", Input).value.strip()
        if not location:
            self.show_error("Give a file path or an http(s) URL")
            return
        self.load(location)

    @on(Input.Changed, "#spec-location")
    def location_changed(self, event: Input.Changed) -> None:
        # Add always adds the document shown, so a new location needs a new preview.
        if self.previewed is not None and event.value.strip() != self.previewed:
            self.query_one("#add", Button).disabled = True

    @work(exclusive=True, group="spec-preview")
    async def load(self, location: str) -> None:
        self.show_error(None)
        scroll = self.query_one("#spec-preview-scroll")
        scroll.loading = True
        try:
            document = await load_document_async(location)
        except SpecError as exc:
            self.document = self.previewed = None
            self.query_one("#spec-preview", Static).update("")
            self.query_one("#add", Button).disabled = True
            self.show_error(str(exc))
            return
        finally:
            scroll.loading = False
        self.document, self.previewed = document, location
        self.query_one("#spec-preview", Static).update(preview(document))
        name = self.query_one("#spec-name", Input)
        server = self.query_one("#spec-server", Input)
        name.disabled = server.disabled = False
        if not name.value:
            name.value = suggest_name(document, self.taken)
        server.value = default_server(document) or server.value
        self.query_one("#add", Button).disabled = False
        scroll.scroll_home(animate=False)

    def show_error(self, message: str | None) -> None:
        self.query_one("#spec-error", Static).update(Text(one_line(message or ""), style="bold red"))

    @on(Input.Submitted, "#spec-name, #spec-server")
    @on(Button.Pressed, "#add")
    def add(self) -> None:
        if self.document is None or self.query_one("#add", Button).disabled:
            self.show_error("Preview the document first (Enter in its path or URL)")
            return
        name = self.query_one("#spec-name", Input).value.strip()
        server = self.query_one("#spec-server", Input).value.strip()
        problem = check_name(name, self.taken) or check_server_url(server)
        if problem:
            self.show_error(problem)
            return
        assert self.previewed is not None
        self.dismiss((SourceEntry(name, self.previewed, server), self.document))
