"""The form that creates or edits a template.

It saves through the API itself, so an error answer (a refused name, throttling, a
server that is down) is shown in the form with everything typed still there, and the
form closes only once the template is saved. A name is required, and mustache braces
that do not pair up are refused with where they are, before anything is sent.
"""

from __future__ import annotations

from typing import Generic

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from sakari_tui.api import NetworkError, SakariError, Template
from sakari_tui.core.template_library import TEMPLATE_TYPES, brace_problems
from sakari_tui.core.templates import placeholders
from sakari_tui.screens.base import EditForm, ResultType
from sakari_tui.widgets.segment_meter import meter_text


def save_failed(exc: SakariError, what: str) -> Text:
    """The message shown in a form when the API refused or failed a save."""
    if isinstance(exc, NetworkError) and exc.may_have_been_sent:
        tail = f" The {what} may have been saved: reload the list before saving again."
    else:
        tail = " Nothing was saved; what you typed is kept. Fix it or try again."
    return Text(f"Not saved: {exc}.{tail}")


def form_bindings(prefix: str) -> list[BindingType]:
    """Save, cancel and help, the keys every message-text form has, with ids under ``prefix``."""
    return [
        Binding("f2,ctrl+s", "save", "Save", id=f"{prefix}.save"),
        Binding("escape", "cancel", "Cancel", id=f"{prefix}.cancel"),
        Binding("f1", "app.help", "Keys", id=f"{prefix}.help"),
    ]


class MessageTextForm(EditForm[ResultType], Generic[ResultType]):
    """A form around a message text: a #form-name and a #form-text whose braces must pair
    up, the segment meter (#form-meter), the brace warning (#form-braces), Save and Cancel.

    Saving is shared: ``problem()`` says why what was typed cannot be sent (or None), then
    ``store()`` creates or updates through the API, with #save disabled meanwhile; an error
    answer is shown under the form (``NOUN`` names what was not saved) and keeps the form open.
    """

    NOUN = ""
    saving = False

    @property
    def is_new(self) -> bool:
        """Whether saving creates (or updates what the form was opened with)."""
        raise NotImplementedError

    def compose_start(self, box: VerticalScroll, name: str) -> ComposeResult:
        """The form's title on ``box`` ("New template", "Edit campaign"), then its name field."""
        box.border_title = f"{'New' if self.is_new else 'Edit'} {self.NOUN}"
        box.border_subtitle = "F2 saves · Esc cancels · F1 keys"
        with Horizontal(classes="field"):
            yield Label("Name")
            yield Input(name, placeholder="required", id="form-name", compact=True, select_on_focus=False)

    def compose_end(self) -> ComposeResult:
        """The end of the form: the error line and the buttons."""
        yield Static("", id="form-error", classes="error")
        with Horizontal(classes="buttons"):
            yield Button("Cancel", id="cancel", compact=True, action="screen.cancel")
            yield Button("Save (F2)", id="save", variant="primary", compact=True, action="screen.save")

    def on_mount(self) -> None:
        self._initial = self.values()
        self.text_changed()
        self.show_error("")
        text = self.query_one("#form-text", TextArea)
        text.move_cursor(text.document.end)
        self.query_one("#form-name", Input).focus()

    def text_changed(self) -> None:
        raise NotImplementedError

    def show_brace_problems(self, text: str) -> None:
        problems = brace_problems(text)
        braces = self.query_one("#form-braces", Static)
        braces.update(Text("Unbalanced braces at " + "; ".join(map(str, problems[:3]))) if problems else "")
        braces.display = bool(problems)

    def name_or_text_problem(self, name: str, text: str) -> str | None:
        """Why the name or the text cannot be saved (the field is focused), or None."""
        if not name.strip():
            self.query_one("#form-name", Input).focus()
            return "A name is required."
        problems = brace_problems(text)
        if problems:
            self.query_one("#form-text", TextArea).focus()
            first = problems[0]
            return (
                f"Not saved: braces that do not pair up at line {first.line}, column {first.column}. "
                "Write placeholders as {{name}}."
            )
        return None

    def problem(self) -> str | None:
        raise NotImplementedError

    async def store(self) -> ResultType:
        raise NotImplementedError

    def action_save(self) -> None:
        if self.saving:
            return
        problem = self.problem()
        if problem:
            self.show_error(problem)
            return
        self.show_error("")
        self.save()

    @work(exclusive=True, group="save", exit_on_error=False)
    async def save(self) -> None:
        self.saving = True
        button = self.query_one("#save", Button)
        button.disabled = True
        self.show_error(Text("Saving…", style="dim"))
        try:
            saved = await self.store()
        except SakariError as exc:
            self.show_error(save_failed(exc, self.NOUN))
            return
        finally:
            self.saving = False
            button.disabled = False
        self.dismiss(saved)


class TemplateForm(MessageTextForm[Template | None]):
    BINDINGS = form_bindings("templates.form")
    NOUN = "template"

    def __init__(self, template: Template | None = None) -> None:
        super().__init__()
        self.template = template

    @property
    def is_new(self) -> bool:
        return self.template is None or not self.template.id

    def compose(self) -> ComposeResult:
        template = self.template or Template()
        kind = template.type if template.type in TEMPLATE_TYPES else "SMS"
        with VerticalScroll() as box:
            yield from self.compose_start(box, template.name or "")
            with Horizontal(classes="field"):
                yield Label("Type")
                yield Select(
                    [("SMS", "SMS"), ("Web", "Web")], value=kind, allow_blank=False, id="form-type", compact=True
                )
            yield Label("Text: placeholders like {{firstName}} or {{plan}}", classes="hint")
            yield TextArea(template.template or "", id="form-text", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="form-meter", classes="hint")
            yield Static("", id="form-braces", classes="warning")
            yield from self.compose_end()

    # -- the values ----------------------------------------------------------

    def values(self) -> tuple[str, str, str]:
        kind = self.query_one("#form-type", Select).value
        return (
            self.query_one("#form-name", Input).value,
            str(kind) if kind is not Select.BLANK else "SMS",
            self.query_one("#form-text", TextArea).text,
        )

    @on(TextArea.Changed, "#form-text")
    def text_changed(self) -> None:
        text = self.query_one("#form-text", TextArea).text
        meter = meter_text(text)
        names = list(dict.fromkeys(placeholders(text)))
        if names:
            meter.append("\nPlaceholders: ", style="dim")
            meter.append(", ".join(names))
        self.query_one("#form-meter", Static).update(meter)
        self.show_brace_problems(text)

    # -- saving --------------------------------------------------------------

    def problem(self) -> str | None:
        name, _, text = self.values()
        return self.name_or_text_problem(name, text)

    async def store(self) -> Template:
        name, kind, text = self.values()
        templates = self.app.client.templates
        if self.is_new:
            return await templates.create(name.strip(), text, kind)
        assert self.template is not None and self.template.id
        return await templates.update(self.template.id, {"name": name.strip(), "template": text, "type": kind})
