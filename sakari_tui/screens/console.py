"""The API console: every operation the client knows, and those of added OpenAPI documents.

On the left the operations, grouped by where they come from; on the right the form of the
highlighted one (its path and query parameters, and a body editor prefilled with a skeleton
of its body), and below it the last answer: status, time, and the JSON as it came, with
secrets masked. The client's 26 operations are called through its own methods; added
documents' operations go to their server (see ``sakari_tui.core.sources``).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from sakari_tui.config import ConfigError, save_config
from sakari_tui.core.console import (
    ANSWER_LIMIT,
    SAKARI_OPERATIONS,
    Answer,
    Body,
    ConsoleOperation,
    Field,
    FormError,
    call_sakari,
)
from sakari_tui.core.sources import Sources, entries_from_config, store_entries
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariScreen
from sakari_tui.styles import style
from sakari_tui.widgets.footer import Footer
from sakari_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from sakari_tui.core.openapi import ApiDocument
    from sakari_tui.core.sources import SourceEntry

# Kept for callers that list the client's operations: (operation id, method, path).
OPERATIONS = tuple((op.name, op.method, op.path) for op in SAKARI_OPERATIONS)

METHOD_STYLE = {"GET": "bold green", "POST": "bold yellow", "PUT": "bold blue", "PATCH": "bold blue",
                "DELETE": "bold red"}  # fmt: skip
SAKARI_HEADING = "Sakari API"

# One set of sources per running app: the console screen and the command palette share it.
_SOURCES: weakref.WeakKeyDictionary[App[Any], Sources] = weakref.WeakKeyDictionary()


def sources_for(app: App[Any]) -> Sources:
    """The sources of ``app``'s session, read from its config the first time."""
    sources = _SOURCES.get(app)
    if sources is None:
        config = getattr(app, "config", None)
        entries, problems = entries_from_config(config.extra) if config is not None else ([], [])
        for problem in problems:
            app.notify(f"Config: {problem}", title="API console", severity="warning", markup=False)
        sources = _SOURCES[app] = Sources(entries)
    return sources


def method_text(method: str) -> Text:
    return Text(method, style=METHOD_STYLE.get(method, "bold"))


def answer_renderable(answer: Answer) -> Content | Text:
    """The answer's body as highlighted JSON (or plain text); never parsed as markup."""
    shown = answer.pretty()
    if not shown:
        return Text("(empty body)" if answer.status is not None else "", style="dim")
    truncated = len(shown) > ANSWER_LIMIT
    if truncated:
        shown = shown[:ANSWER_LIMIT] + "\n… (cut here; F4 copies the whole answer)"
    if answer.is_json():
        return highlight(shown, language="json")  # from plain text: markup in it stays text
    return Text(shown)


def answer_headline(answer: Answer) -> Text:
    if answer.status is None:
        style = "bold red"
    elif answer.status < 300:
        style = "bold green"
    elif answer.status < 500:
        style = "bold yellow"
    else:
        style = "bold red"
    text = Text(" ")
    text.append(answer.summary(), style=style)
    if answer.error and not (answer.status and answer.error == f"HTTP {answer.status}"):
        text.append(" · ")
        text.append(one_line(answer.error), style=style)
    text.append("  ")
    text.append(one_line(answer.request), style="dim")
    return text


class FieldInput(Input):
    """An input of the form, knowing which operation and field it fills."""

    def __init__(self, operation_key: str, field: Field, value: str) -> None:
        placeholder = field.description or ("" if field.kind == "string" else field.kind)
        super().__init__(value, placeholder=one_line(placeholder), compact=True, classes="field-input")
        self.operation_key = operation_key
        self.field = field


class FieldSelect(Select[str]):
    def __init__(self, operation_key: str, field: Field, value: str) -> None:
        options = [(choice, choice) for choice in field.choices]
        super().__init__(options, prompt="(none)", allow_blank=not field.required, compact=True,
                         value=value if value in field.choices else Select.NULL, classes="field-input")  # fmt: skip
        self.operation_key = operation_key
        self.field = field


def _for(widget: Widget, operation_key: str) -> Widget:
    """Tag a form widget with its operation: its events may arrive after the form changed."""
    widget.operation_key = operation_key  # type: ignore[attr-defined]
    return widget


class OperationList(OptionList):
    """The operations, with vi's j and k besides the arrows, as the other lists have."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", id="operations.down", show=False),
        Binding("k", "cursor_up", "Up", id="operations.up", show=False),
    ]


class ConsoleScreen(SakariScreen[None]):
    CSS_PATH = style("console")  # read when the console is first shown, not at start-up
    BINDINGS = [
        Binding("f5,ctrl+r", "send", "Send", id="console.send"),
        Binding("f2", "add_source", "Add spec", id="console.add_source"),
        Binding("f8", "remove_source", "Remove spec", id="console.remove_source"),
        Binding("f4", "copy_answer", "Copy", id="console.copy_answer"),
        Binding("escape", "focus_operations", "Operations", id="console.operations", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.operation: ConsoleOperation | None = None
        self.answers: dict[str, Answer] = {}
        # What was typed, per operation: field values, the chosen body type, body texts.
        self._drafts: dict[str, dict[str, Any]] = {}
        self._pending_key: str | None = None

    @property
    def sources(self) -> Sources:
        return sources_for(self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="console-title", classes="list-title")
        with Horizontal(id="console-body"):
            yield OperationList(id="operations", compact=True)
            with Vertical(id="console-main"):
                yield VerticalScroll(id="console-form", can_focus=False)
                with Horizontal(id="send-row"):
                    yield Button("Send (F5)", id="send", compact=True, variant="primary", action="screen.send")
                    yield Static("", id="form-error")
                yield Static("", id="answer-status")
                with VerticalScroll(id="answer-scroll", can_focus=True):
                    yield Static("", id="answer")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_operations()
        self.query_one("#operations", OptionList).focus()
        self.load_sources()

    async def on_unmount(self) -> None:
        await self.sources.aclose()

    # -- the list of operations ------------------------------------------------------

    def all_operations(self) -> list[ConsoleOperation]:
        return [*SAKARI_OPERATIONS, *self.sources.operations()]

    def operation_by_key(self, key: str) -> ConsoleOperation | None:
        return next((op for op in self.all_operations() if op.key == key), None)

    def refresh_operations(self, select: str | None = None) -> None:
        listing = self.query_one("#operations", OptionList)
        current = select or (self.operation.key if self.operation else None) or self._pending_key
        options: list[Option] = [Option(Text(SAKARI_HEADING, style="bold"), disabled=True)]
        options += [Option(Text(op.name), id=op.key) for op in SAKARI_OPERATIONS]
        for source in self.sources:
            heading = Text(one_line(source.entry.name), style="bold")
            if source.document is not None:
                heading.append(f" · {one_line(source.document.title, 20)}", style="dim")
            elif source.error:
                heading.append(" (unreadable)", style="red")
            else:
                heading.append(" (loading)", style="dim")
            options.append(Option(heading, disabled=True))
            options += [Option(Text(one_line(op.name)), id=op.key) for op in source.operations]
        listing.clear_options()
        listing.add_options(options)
        count = len(SAKARI_OPERATIONS) + len(self.sources.operations())
        title = f" API console · {count} operations"
        if len(self.sources):
            title += f" · {len(self.sources)} added spec{'s' if len(self.sources) != 1 else ''}"
        self.query_one("#console-title", Static).update(Text(title, style="bold"))
        self.select_operation(current or SAKARI_OPERATIONS[0].key)

    def select_operation(self, key: str) -> bool:
        """Highlight the operation ``key`` (shown once its source is read, if it is not yet)."""
        listing = self.query_one("#operations", OptionList)
        try:
            index = listing.get_option_index(key)
        except Exception:  # OptionDoesNotExist: its source may still be loading
            self._pending_key = key
            return False
        self._pending_key = None
        listing.highlighted = index
        return True

    @on(OptionList.OptionHighlighted, "#operations")
    async def operation_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        key = event.option.id
        operation = self.operation_by_key(key) if key else None
        if operation is None or operation is self.operation:
            return
        self.operation = operation
        await self.build_form(operation)
        self.show_answer(self.answers.get(operation.key))

    @on(OptionList.OptionSelected, "#operations")
    def operation_chosen(self) -> None:
        first = self.query("#console-form .field-input, #console-form .body-input")
        if first:
            first.first().focus()
        else:
            self.query_one("#send", Button).focus()

    @work(exclusive=True, group="console-sources")
    async def load_sources(self) -> None:
        loaded = await self.sources.load_all()
        if not loaded:
            return
        self.refresh_operations()
        for source in loaded:
            if source.error:
                self.notify(f"Could not read spec {source.entry.name}: {source.error}", title="API console",
                            severity="error", markup=False)  # fmt: skip

    # -- the form --------------------------------------------------------------------

    def draft(self, operation: ConsoleOperation) -> dict[str, Any]:
        draft = self._drafts.get(operation.key)
        if draft is None:
            draft = self._drafts[operation.key] = {
                "fields": {f.name: f.default for f in operation.fields},
                "media": operation.bodies[0].media_type if operation.bodies else "",
                "bodies": {b.media_type: b.skeleton for b in operation.bodies},
            }
        return draft

    def chosen_body(self, operation: ConsoleOperation) -> Body | None:
        if not operation.bodies:
            return None
        media = self.draft(operation)["media"]
        return next((b for b in operation.bodies if b.media_type == media), operation.bodies[0])

    async def build_form(self, operation: ConsoleOperation) -> None:
        form = self.query_one("#console-form", VerticalScroll)
        draft = self.draft(operation)
        widgets: list[Widget] = []
        head = Text()
        head.append_text(method_text(operation.method))
        head.append(" ")
        head.append(one_line(operation.path))
        widgets.append(Static(head, classes="op-head"))
        about = Text(one_line(operation.name), style="bold")
        if operation.summary:
            about.append(f" · {one_line(operation.summary)}")
        about.append(f" · auth: {operation.auth}", style="dim")
        if operation.note:
            about.append(f" · {one_line(operation.note)}", style="dim italic")
        widgets.append(Static(about, classes="op-about"))
        for spec in operation.fields:
            label = Text(one_line(spec.name, 16 if spec.location != "header" else 9))
            if spec.required:
                label.append("*", style="bold red")
            if spec.location == "header":
                label.append(" header", style="dim")
            value = draft["fields"].get(spec.name, "")
            key = operation.key
            field: Widget = FieldSelect(key, spec, value) if spec.choices else FieldInput(key, spec, value)
            widgets.append(Horizontal(Label(label, classes="field-label"), field, classes="field-row"))
        body = self.chosen_body(operation)
        if body is not None:
            if len(operation.bodies) > 1:
                kinds = [(b.media_type, b.media_type) for b in operation.bodies]
                widgets.append(Horizontal(
                    Label(Text("body as"), classes="field-label"),
                    _for(Select(kinds, value=body.media_type, allow_blank=False, compact=True, id="body-type"),
                         operation.key),
                    classes="field-row",
                ))  # fmt: skip
            widgets.append(self.body_widget(operation.key, body, draft["bodies"].get(body.media_type, "")))
        await form.remove_children()
        await form.mount_all(widgets)
        form.scroll_home(animate=False)
        self.show_form_error(None)

    def body_widget(self, operation_key: str, body: Body, text: str) -> Widget:
        if body.kind == "file":
            field = Input(text, placeholder="path of the file to upload", compact=True, classes="body-input")
            return Horizontal(
                Label(Text("file"), classes="field-label"), _for(field, operation_key), classes="field-row"
            )
        editor = TextArea(text, soft_wrap=False, tab_behavior="indent", classes="body-input", id="body-editor")
        editor.border_title = f"body · {one_line(body.media_type)}"
        return _for(editor, operation_key)

    def draft_for(self, widget: Widget) -> tuple[ConsoleOperation, dict[str, Any]] | None:
        """The operation a form widget belongs to and its draft; None for a form gone by."""
        key = getattr(widget, "operation_key", None)
        operation = self.operation
        if operation is None or key != operation.key:
            return None
        return operation, self.draft(operation)

    @on(Input.Changed, "#console-form .field-input")
    def field_changed(self, event: Input.Changed) -> None:
        found = self.draft_for(event.input)
        if found is not None and isinstance(event.input, FieldInput):
            found[1]["fields"][event.input.field.name] = event.value

    @on(Select.Changed, "#console-form .field-input")
    def choice_changed(self, event: Select.Changed) -> None:
        found = self.draft_for(event.select)
        if found is not None and isinstance(event.select, FieldSelect):
            found[1]["fields"][event.select.field.name] = "" if event.value is Select.NULL else str(event.value)

    @on(Input.Changed, "#console-form .body-input")
    @on(TextArea.Changed, "#console-form .body-input")
    def body_changed(self, event: Input.Changed | TextArea.Changed) -> None:
        widget = event.input if isinstance(event, Input.Changed) else event.text_area
        found = self.draft_for(widget)
        if found is not None:
            draft = found[1]
            draft["bodies"][draft["media"]] = event.value if isinstance(event, Input.Changed) else event.text_area.text

    @on(Select.Changed, "#body-type")
    async def body_type_changed(self, event: Select.Changed) -> None:
        found = self.draft_for(event.select)
        if found is None or event.value is Select.NULL:
            return
        operation, draft = found
        if draft["media"] == event.value or event.value not in {b.media_type for b in operation.bodies}:
            return
        draft["media"] = str(event.value)
        body = self.chosen_body(operation)
        if body is None:
            return
        for widget in self.query("#console-form .body-input"):
            await (
                widget.parent if isinstance(widget, Input) and isinstance(widget.parent, Widget) else widget
            ).remove()
        editor = self.body_widget(operation.key, body, draft["bodies"].get(body.media_type, ""))
        await self.query_one("#console-form", VerticalScroll).mount(editor)

    @on(Input.Submitted, "#console-form Input")
    def submitted(self) -> None:
        self.action_send()

    def show_form_error(self, message: str | None) -> None:
        self.query_one("#form-error", Static).update(Text(one_line(message), style="bold red") if message else "")

    # -- sending ---------------------------------------------------------------------

    def action_send(self) -> None:
        if self.operation is None:
            return
        draft = self.draft(self.operation)
        media = draft["media"]
        self.send(self.operation, dict(draft["fields"]), media, draft["bodies"].get(media, ""))

    @work(exclusive=True, group="console-send")
    async def send(self, operation: ConsoleOperation, values: dict[str, str], media: str, body: str) -> None:
        client = self.app.client  # raises "not connected yet"
        self.show_form_error(None)
        scroll = self.query_one("#answer-scroll")
        scroll.loading = True
        try:
            if operation.group:
                answer = await self.sources.call(
                    operation.key, values, media, body, bearer=client.authentication.bearer_auth(), redact=client.redact
                )
            else:
                answer = await call_sakari(client, operation, values, media, body)
        except FormError as exc:
            self.show_form_error(str(exc))
            return
        finally:
            scroll.loading = False
        self.answers[operation.key] = answer
        if self.operation is operation:
            self.show_answer(answer)

    def show_answer(self, answer: Answer | None) -> None:
        status = self.query_one("#answer-status", Static)
        body = self.query_one("#answer", Static)
        if answer is None:
            status.update(Text(" Not sent yet: F5 sends", style="dim"))
            body.update("")
        else:
            status.update(answer_headline(answer))
            body.update(answer_renderable(answer))
        self.query_one("#answer-scroll", VerticalScroll).scroll_home(animate=False)

    def action_copy_answer(self) -> None:
        answer = self.answers.get(self.operation.key) if self.operation else None
        if answer is None:
            self.notify("Nothing to copy yet: send the request first (F5)", markup=False)
            return
        self.app.copy_to_clipboard(answer.pretty())
        self.notify("Answer copied", markup=False)

    def action_focus_operations(self) -> None:
        self.query_one("#operations", OptionList).focus()

    # -- sources ---------------------------------------------------------------------

    def action_add_source(self) -> None:
        from sakari_tui.screens.console_sources import SourceDialog

        saved = self.app.config is not None
        self.app.push_screen(SourceDialog(self.sources.names, saved=saved), self._source_previewed)

    def _source_previewed(self, result: tuple[SourceEntry, ApiDocument] | None) -> None:
        if result is None:
            return
        entry, document = result
        try:
            source = self.sources.add(entry, document)
        except ValueError as exc:
            self.notify(str(exc), title="API console", severity="error", markup=False)
            return
        self.save_sources()
        first = source.operations[0].key if source.operations else None
        self.refresh_operations(select=first)
        count = len(source.operations)
        self.notify(
            f"Added {entry.name}: {count} operation{'s' if count != 1 else ''}", title="API console", markup=False
        )

    def action_remove_source(self) -> None:
        from sakari_tui.screens.dialogs import confirm_then

        name = self.operation.group if self.operation else ""
        if not name:
            names = sorted(self.sources.names)
            if len(names) != 1:
                self.notify("Highlight an operation of the spec to remove (added specs are listed below the Sakari API)",
                            markup=False)  # fmt: skip
                return
            name = names[0]

        confirm_then(
            self.app, f"Remove the spec {name} and its operations?", "Remove", lambda: self.remove_source(name)
        )

    @work(group="console-remove")
    async def remove_source(self, name: str) -> None:
        await self.sources.remove(name)
        for key in [k for k in self._drafts if k.startswith(f"source:{name}:")]:
            self._drafts.pop(key, None)
            self.answers.pop(key, None)
        if self.operation and self.operation.group == name:
            self.operation = None
        self.save_sources()
        self.refresh_operations(select=SAKARI_OPERATIONS[0].key)
        self.notify(f"Removed {name}", title="API console", markup=False)

    def save_sources(self) -> None:
        config = self.app.config
        if config is None:
            return
        store_entries(config.extra, self.sources.entries())
        try:
            save_config(config)
        except (OSError, ConfigError) as exc:
            self.notify(f"Could not save {config.path}: {exc}", title="API console", severity="error", markup=False)


class ConsoleCommands(Provider):
    """Command palette entries: call any operation of the console, or add a spec."""

    def _operations(self) -> list[ConsoleOperation]:
        return [*SAKARI_OPERATIONS, *sources_for(self.app).operations()]

    async def startup(self) -> None:
        sources = sources_for(self.app)
        if any(s.document is None and s.error is None for s in sources):
            self.app.run_worker(sources.load_all(), group="console-sources-palette", exclusive=True)

    @staticmethod
    def _label(operation: ConsoleOperation) -> str:
        prefix = f"{operation.group}: " if operation.group else ""
        return one_line(f"Call {prefix}{operation.name}")

    @staticmethod
    def _help(operation: ConsoleOperation) -> str:
        parts = f"{operation.method} {operation.path}" + (f" · {operation.summary}" if operation.summary else "")
        return escape(one_line(parts, 120))  # the palette reads help as markup

    async def _open(self, key: str | None = None, add: bool = False) -> None:
        await self.app.switch_mode("console")
        screen = self.app.screen
        if isinstance(screen, ConsoleScreen):
            if key is not None:
                screen.select_operation(key)
                screen.query_one("#operations", OptionList).focus()
            if add:
                screen.action_add_source()

    async def discover(self) -> Hits:
        yield DiscoveryHit("Add an OpenAPI spec to the API console", lambda: self._open(add=True),
                           help="Preview a document, then call its operations")  # fmt: skip

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        add = "Add an OpenAPI spec to the API console"
        score = matcher.match(add)
        if score > 0:
            yield Hit(score, matcher.highlight(add), lambda: self._open(add=True),
                      help="Preview a document, then call its operations")  # fmt: skip
        for operation in self._operations():
            label = self._label(operation)
            score = matcher.match(label)
            if score <= 0:
                continue
            # Names from an added document are not ours: highlight without reading markup.
            display = Content(label)
            _, offsets = matcher.fuzzy_search.match(matcher.query, label)
            for offset in offsets:
                display = display.stylize(matcher.match_style, offset, offset + 1)
            yield Hit(score, display, lambda key=operation.key: self._open(key), text=label, help=self._help(operation))
