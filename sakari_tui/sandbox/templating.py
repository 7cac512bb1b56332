"""Mustache-style placeholders in message templates.

``{{{firstName}}}``, ``{{ firstName }}`` and ``{{{contact.firstName}}}`` all name a contact
field (firstName, lastName, email, mobile) or one of its attributes; unknown placeholders render
empty, as Sakari does. SMS has no HTML, so double and triple braces render the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\{\s*([\w.\-]+)\s*\}\}\}|\{\{\s*([\w.\-]+)\s*\}\}")


def render(template: str, fields: Mapping[str, Any], attributes: Mapping[str, Any]) -> str:
    lowered_attributes = {str(key).lower(): value for key, value in attributes.items()}

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        for prefix in ("contact.", "attributes."):
            if name.startswith(prefix):
                name = name[len(prefix) :]
        if name in fields:
            value = fields[name]
        else:
            value = lowered_attributes.get(name.lower())
        return "" if value is None else str(value)

    return PLACEHOLDER.sub(value_of, template)
