"""Template placeholders: ``{{{firstName}}}``, ``{{ firstName }}``, ``{{{contact.firstName}}}``.

Rendering here is for previews: what the server will send to a contact, with
the placeholders it cannot fill listed, so the agent sees them before sending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sakari_tui.api import Contact

# Triple braces first, so "{{{x}}}" is not read as "{" + "{{x}}" + "}".
PLACEHOLDER = re.compile(r"\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{\s*([\w.-]+)\s*\}\}")


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # placeholder names with no value for this contact
    spans: tuple[tuple[int, int, bool], ...]  # (start, end, filled) of each placeholder in ``text``


def contact_fields(contact: Contact | None) -> dict[str, Any]:
    if contact is None:
        return {}
    fields: dict[str, Any] = dict(contact.attributes)
    fields.update(
        {
            "firstName": contact.first_name,
            "lastName": contact.last_name,
            "email": contact.email,
            "mobile": contact.mobile.number if contact.mobile else None,
        }
    )
    return {key: value for key, value in fields.items() if value not in (None, "")}


def placeholders(template: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in PLACEHOLDER.finditer(template)]


def render(template: str, values: Mapping[str, Any]) -> Rendered:
    out: list[str] = []
    missing: list[str] = []
    spans: list[tuple[int, int, bool]] = []
    position = length = 0
    for match in PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        out.append(literal)
        length += len(literal)
        name = match.group(1) or match.group(2)
        key = name.removeprefix("contact.")
        value = values.get(key)
        if value is None or value == "":
            missing.append(name)
            text, filled = match.group(0), False
        else:
            text, filled = str(value), True
        out.append(text)
        spans.append((length, length + len(text), filled))
        length += len(text)
        position = match.end()
    out.append(template[position:])
    return Rendered("".join(out), tuple(dict.fromkeys(missing)), tuple(spans))


def unbalanced_braces(template: str) -> list[int]:
    """Offsets of ``{{`` / ``}}`` runs that do not pair up into a placeholder."""
    # Blank out the well-formed placeholders (keeping offsets), marking their edges;
    # what is left of "{{", "}}", or a brace touching a placeholder, is unbalanced.
    stripped = PLACEHOLDER.sub(lambda m: "\0" * len(m.group(0)), template)
    return [m.start() for m in re.finditer(r"\{\{|\}\}|\{(?=\0)|(?<=\0)\}", stripped)]
