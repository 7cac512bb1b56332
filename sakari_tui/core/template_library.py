"""The account's templates as the UI reads them, and the checks a template's text gets.

The Templates screen pages through them by name (the API's ``name`` filter, which
matches "contains"); the inbox's template picker takes them all at once and filters
as the agent types. Both read through here, so they see the same list in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sakari_tui.api import Page, Template
from sakari_tui.core.templates import unbalanced_braces

if TYPE_CHECKING:
    from sakari_tui.api import SakariClient

PAGE_SIZE = 50
# The picker holds every template in memory; an account with more than this is unusual,
# and the Templates screen still pages through all of them.
MAX_TEMPLATES = 1000
TEMPLATE_TYPES = ("SMS", "Web")


async def template_page(
    client: SakariClient, *, name: str = "", offset: int = 0, limit: int = PAGE_SIZE
) -> Page[Template]:
    """One page of templates whose name contains ``name`` (all when it is blank)."""
    return await client.templates.fetch_all(offset, limit, name=name.strip() or None)


async def all_templates(client: SakariClient, *, name: str = "", cap: int = MAX_TEMPLATES) -> list[Template]:
    """Every template whose name contains ``name``, in the server's order, at most ``cap``."""
    found: list[Template] = []
    async for template in client.templates.iterate(name=name.strip() or None):
        found.append(template)
        if len(found) >= cap:
            break
    return found


@dataclass(frozen=True)
class BraceProblem:
    offset: int
    line: int  # 1-based
    column: int  # 1-based
    excerpt: str  # the text around it, on one line

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: “{self.excerpt}”"


def brace_problems(text: str, *, context: int = 12) -> list[BraceProblem]:
    """Where the mustache braces of ``text`` do not pair up, with a little text around each."""
    problems = []
    for offset in unbalanced_braces(text):
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        start, end = max(0, offset - context), min(len(text), offset + context)
        excerpt = " ".join(text[start:end].split())
        if start > 0:
            excerpt = "…" + excerpt
        if end < len(text):
            excerpt += "…"
        problems.append(BraceProblem(offset, line, column, excerpt))
    return problems
