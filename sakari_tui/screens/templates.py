"""Templates: reusable message texts."""

from __future__ import annotations

from rich.text import Text

from sakari_tui.api import Template
from sakari_tui.core.text import one_line
from sakari_tui.screens.lists import PAGE, ListScreen


class TemplatesScreen(ListScreen):
    title_text = "Templates"
    columns = (("Name", 28), ("Type", 6), ("Text", None))

    def fetch(self):
        return self.app.client.templates.fetch_all(limit=PAGE)

    def cells(self, template: Template) -> tuple[Text, ...]:
        return (Text(one_line(template.name or "")), Text(template.type or ""), Text(one_line(template.template or "")))
