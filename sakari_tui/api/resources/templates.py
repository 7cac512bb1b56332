from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..envelope import answer_status, data_object, expect_success
from ..errors import BadResponse
from ..models import Template
from ..pagination import Page
from .catalog import NamedCatalog


def parse_created_template(body: object) -> Template:
    """1.0.1 documents ``templates.create`` as answering a TemplatesResponse (a list); a
    single TemplateResponse is accepted too."""
    expect_success(body)
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        page = Page.from_json(body, Template.from_json)
        if not page.items:
            raise BadResponse("the created template is missing from the answer", status=answer_status())
        return page.items[0]
    return Template.from_json(data_object(body))


class Templates(NamedCatalog[Template]):
    PATH = "templates"

    def parse(self, data: Mapping[str, Any]) -> Template:
        return Template.from_json(data)

    async def create(self, name: str, template: str, type: str = "SMS") -> Template:
        """Not retried: a lost answer could otherwise create the template twice."""
        payload = {"name": name, "template": template, "type": type}
        body = await self._api.call("POST", self._api.account_path("templates"), json=payload)
        return parse_created_template(body)
