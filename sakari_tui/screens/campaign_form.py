"""The form that creates or edits a campaign.

It offers only what the API takes: the trigger and each attribute rule's comparator
are chosen from a list, tags and contact ids are lists of names, attribute rules are
rows added and removed. Like the template form, it saves through the API itself and
keeps everything typed when the answer is an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from sakari_tui.api import Campaign, Contact, SakariError
from sakari_tui.core.campaigns import (
    COMPARATORS,
    MANUAL,
    TRIGGERS,
    AttributeRule,
    CampaignFilters,
    campaign_fields,
)
from sakari_tui.screens.template_form import MessageTextForm, form_bindings
from sakari_tui.widgets.segment_meter import meter_text

KNOWN_TAGS_FROM = 1000  # contacts read for the hint of tags in use


def split_list(value: str) -> list[str]:
    """``"a, b,,a"`` -> ``["a", "b"]``: comma-separated, trimmed, each once."""
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


class AttributeRow(Horizontal):
    """One attribute rule: name, comparator, value, and a button that removes the row."""

    DEFAULT_CSS = """
    AttributeRow { height: 1; margin-bottom: 1; }
    AttributeRow .attribute-name { width: 1fr; }
    AttributeRow Select { width: 10; margin: 0 1; }
    AttributeRow .attribute-value { width: 1fr; }
    AttributeRow Button { margin-left: 1; min-width: 3; }
    """

    def __init__(self, rule: AttributeRule | None = None) -> None:
        super().__init__(classes="attribute-row")
        self.rule = rule or AttributeRule("", "=", "")

    def compose(self) -> ComposeResult:
        yield Input(
            self.rule.name, placeholder="attribute", classes="attribute-name", compact=True, select_on_focus=False
        )
        yield Select(
            [(c, c) for c in COMPARATORS],
            value=self.rule.comparator if self.rule.comparator in COMPARATORS else "=",
            allow_blank=False,
            compact=True,
            classes="attribute-comparator",
        )
        yield Input(
            self.rule.value, placeholder="value", classes="attribute-value", compact=True, select_on_focus=False
        )
        yield Button("✕", classes="remove-attribute", compact=True, tooltip="Remove this rule")

    def values(self) -> tuple[str, str, str]:
        comparator = self.query_one(Select).value
        return (
            self.query_one(".attribute-name", Input).value.strip(),
            str(comparator) if comparator is not Select.BLANK else "=",
            self.query_one(".attribute-value", Input).value.strip(),
        )


def list_field(label: str, values: Iterable[str], placeholder: str, id: str, classes: str = "") -> ComposeResult:
    """A labelled one-line input of comma-separated values."""
    with Horizontal(classes=f"field {classes}".strip()):
        yield Label(label)
        yield Input(", ".join(values), placeholder=placeholder, id=id, compact=True, select_on_focus=False)


class CampaignForm(MessageTextForm[Campaign | None]):
    BINDINGS = [
        *form_bindings("campaigns.form"),
        Binding("f3", "add_attribute", "Add rule", id="campaigns.form.add_attribute"),
        Binding("f4", "remove_attribute", "Remove rule", id="campaigns.form.remove_attribute"),
        Binding("f6", "add_contact", "Add contact", id="campaigns.form.add_contact"),
        Binding("ctrl+t", "use_template", "Use template", id="campaigns.form.template"),
    ]

    NOUN = "campaign"

    def __init__(self, campaign: Campaign | None = None) -> None:
        super().__init__()
        self.campaign = campaign
        self.filters = CampaignFilters.from_json(campaign.filters if campaign else None)
        self.fields: dict = {}  # what ``store`` sends, as ``problem`` built it
        self.known_tags: set[str] | None = None

    @property
    def is_new(self) -> bool:
        return self.campaign is None or not self.campaign.id

    def compose(self) -> ComposeResult:
        campaign = self.campaign or Campaign()
        code = str(campaign.trigger.get("code") or MANUAL)
        with VerticalScroll() as box:
            yield from self.compose_start(box, campaign.name or "")
            with Horizontal(classes="field"):
                yield Label("Trigger")
                yield Select(
                    [(f"{label} ({c})", c) for c, label in TRIGGERS.items()],
                    value=code if code in TRIGGERS else MANUAL,
                    allow_blank=False,
                    id="form-trigger",
                    compact=True,
                )
            with Horizontal(classes="section"):
                yield Label("Message text")
                use_template = Button(
                    "Use a template (ctrl+t)", id="use-template", compact=True, action="screen.use_template"
                )
                # Out of the Tab order: Tab from the trigger goes to the text, where typing
                # lands (on the button it was dropped silently). ctrl+t and a click still work.
                use_template.can_focus = False
                yield use_template
            yield TextArea(campaign.template or "", id="form-text", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="form-meter", classes="hint")
            yield Static("", id="form-braces", classes="warning")
            yield from list_field("Tags", self.filters.tags, "any of these, comma-separated", "form-tags", "tight")
            yield Static("", id="form-known-tags", classes="hint")
            yield from list_field("Contacts", self.filters.contacts, "contact ids (F6 adds one)", "form-contacts")
            with Horizontal(classes="section"):
                yield Label("Attributes: every rule must match")
                yield Button("+ Rule (F3)", id="add-attribute", compact=True)
            with Vertical(id="attribute-rows"):
                for rule in self.filters.attributes:
                    yield AttributeRow(rule)
            if self.filters.not_understood:
                yield Static(
                    Text("Rules not understood, dropped on save: " + "; ".join(self.filters.not_understood)),
                    classes="warning",
                )
            yield from self.compose_end()

    def on_mount(self) -> None:  # then MessageTextForm's (Textual calls each class's handler)
        self.load_known_tags()

    # -- the values ----------------------------------------------------------

    def values(self) -> tuple:
        trigger = self.query_one("#form-trigger", Select).value
        return (
            self.query_one("#form-name", Input).value,
            str(trigger) if trigger is not Select.BLANK else MANUAL,
            self.query_one("#form-text", TextArea).text,
            self.query_one("#form-tags", Input).value,
            self.query_one("#form-contacts", Input).value,
            tuple(row.values() for row in self.query(AttributeRow)),
        )

    @on(TextArea.Changed, "#form-text")
    def text_changed(self) -> None:
        text = self.query_one("#form-text", TextArea).text
        self.query_one("#form-meter", Static).update(meter_text(text))
        self.show_brace_problems(text)

    @work(exclusive=True, group="known-tags", exit_on_error=False)
    async def load_known_tags(self) -> None:
        """The tags the contacts carry, as a hint: the API has no list of tags of its own."""
        tags: set[str] = set()
        try:
            seen = 0
            async for contact in self.app.client.contacts.iterate():
                tags.update(tag.name for tag in contact.tags if tag.name)
                seen += 1
                if seen >= KNOWN_TAGS_FROM:
                    break
        except SakariError:
            return  # only a hint: without it the form works the same
        self.known_tags = tags
        self.tags_changed()

    @on(Input.Changed, "#form-tags")
    def tags_changed(self) -> None:
        hint = self.query_one("#form-known-tags", Static)
        if self.known_tags is None:
            return
        known = {tag.lower() for tag in self.known_tags}
        typed = split_list(self.query_one("#form-tags", Input).value)
        text = Text()
        unknown = [tag for tag in typed if tag.lower() not in known]
        if unknown:
            text.append("On no contact: " + ", ".join(unknown) + "\n", style="yellow")
        if self.known_tags:
            text.append("In use: " + ", ".join(sorted(self.known_tags, key=str.lower)))
        else:
            text.append("No contact has a tag yet.")
        hint.update(text)

    # -- attribute rows, contacts, template ----------------------------------

    def action_add_attribute(self) -> None:
        row = AttributeRow()
        self.query_one("#attribute-rows").mount(row)

        def show_new_row() -> None:  # once it has been composed
            row.query_one(".attribute-name", Input).focus()
            row.scroll_visible()

        self.call_after_refresh(show_new_row)

    @on(Button.Pressed, "#add-attribute")
    def add_pressed(self) -> None:
        self.action_add_attribute()

    @on(Button.Pressed, ".remove-attribute")
    def remove_pressed(self, event: Button.Pressed) -> None:
        row = next((a for a in event.button.ancestors if isinstance(a, AttributeRow)), None)
        if row is not None:
            row.remove()

    def action_remove_attribute(self) -> None:
        focused = self.focused
        row = next((a for a in focused.ancestors if isinstance(a, AttributeRow)), None) if focused else None
        if row is None:
            self.notify("Move to an attribute rule first (Tab), then F4 removes it.", timeout=3)
            return
        row.remove()
        self.query_one("#add-attribute", Button).focus()

    def action_add_contact(self) -> None:
        from sakari_tui.screens.contact_picker import ContactPicker

        def chosen(contact: Contact | None) -> None:
            if contact is None or not contact.id:
                return
            box = self.query_one("#form-contacts", Input)
            ids = split_list(box.value)
            if contact.id not in ids:
                box.value = ", ".join([*ids, contact.id])

        self.app.push_screen(ContactPicker("Add a contact to the campaign"), chosen)

    def action_use_template(self) -> None:
        from sakari_tui.screens.dialogs import pick_template_into

        pick_template_into(self.query_one("#form-text", TextArea), replace=True)

    # -- saving --------------------------------------------------------------

    def build(self) -> tuple[dict | None, str | None]:
        """The API fields, or the reason they cannot be sent."""
        name, trigger, text, tags, contacts, rows = self.values()
        problem = self.name_or_text_problem(name, text)
        if problem:
            return None, problem
        rules = []
        for number, (rule_name, comparator, value) in enumerate(rows, 1):
            if not rule_name and not value:
                continue  # an empty row
            if not rule_name:
                return None, f"Attribute rule {number} needs the attribute's name."
            rules.append(AttributeRule(rule_name, comparator, value))
        filters = CampaignFilters(tuple(split_list(tags)), tuple(split_list(contacts)), tuple(rules))
        return campaign_fields(name=name.strip(), template=text, trigger=trigger, filters=filters), None

    def problem(self) -> str | None:
        fields, problem = self.build()
        self.fields = fields or {}
        return None if fields is not None else problem or "Not saved."

    async def store(self) -> Campaign:
        campaigns = self.app.client.campaigns
        if self.is_new:
            return await campaigns.create(self.fields)
        assert self.campaign is not None and self.campaign.id
        return await campaigns.update(self.campaign.id, self.fields)
