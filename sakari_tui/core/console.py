"""The API console without its screen: operations as forms, and calling them.

An operation is described as a form (``ConsoleOperation``): the fields to fill (path,
query and header parameters) and the body it takes (JSON, text, or a file). The 26
operations of the Sakari API are called through the real client's methods
(``client.contacts.fetch_all(...)``); the raw answer comes from ``client.capture()``,
with secrets masked. Operations of added OpenAPI documents are called by
``sakari_tui.core.sources``.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from sakari_tui.api import SakariClient, SakariError

# What the console measures calls with; tests freeze it for screenshots.
clock: Callable[[], float] = time.perf_counter

SAKARI_GROUP = ""  # the group of the client's own operations
ANSWER_LIMIT = 400_000  # characters of an answer shown; the copy gets everything


class FormError(ValueError):
    """What is wrong with what was typed, said before anything is sent."""


@dataclass(frozen=True)
class Field:
    name: str  # as the API names it
    location: str = "query"  # "path", "query" or "header"
    required: bool = False
    kind: str = "string"  # "string", "integer", "number", "boolean" or "array"
    description: str = ""
    default: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Body:
    media_type: str
    kind: str  # "json", "text" or "file"
    skeleton: str = ""  # what the editor starts with
    field_name: str = ""  # the multipart field of a file, "" to send the file as the body


@dataclass(frozen=True)
class ConsoleOperation:
    key: str  # unique in the console: "sakari:contacts.fetchAll", "source:NAME:INDEX"
    group: str  # SAKARI_GROUP, or the name of the source it comes from
    name: str  # the operation id, or "METHOD /path" when the document gives none
    method: str
    path: str
    summary: str = ""
    fields: tuple[Field, ...] = ()
    bodies: tuple[Body, ...] = ()
    body_required: bool = False
    auth: str = ""  # how it authenticates, in a few words
    note: str = ""


@dataclass(frozen=True)
class Answer:
    request: str  # "GET /v1/accounts/a/contacts?limit=10"
    status: int | None  # None when no answer came (network error, refused before sending)
    elapsed_ms: float
    body: object = None  # the decoded JSON, secrets masked
    text: str | None = None  # a body that is not JSON, secrets masked
    error: str | None = None  # what went wrong, when the call failed
    requests: int = 1  # how many HTTP requests the call took (a token exchange adds one)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    def status_text(self) -> str:
        if self.status is None:
            return "no answer"
        try:
            return f"{self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return str(self.status)

    def summary(self) -> str:
        """ "200 OK · 34 ms" (and "· 2 requests" when a token exchange came first)."""
        parts = [self.status_text(), f"{self.elapsed_ms:.0f} ms"]
        if self.requests > 1:
            parts.append(f"{self.requests} requests")
        return " · ".join(parts)

    def pretty(self) -> str:
        """The body as indented JSON (or its text), safe to show in a terminal."""
        if self.body is not None:
            shown = json.dumps(self.body, indent=2, ensure_ascii=False, default=str)
            return escape_invisible(shown)
        if self.text is not None:
            return escape_invisible(self.text)
        return ""

    def is_json(self) -> bool:
        return self.body is not None


def escape_invisible(text: str) -> str:
    """``text`` with control and invisible formatting characters (escape sequences, bidi
    overrides) written as ``\\uXXXX``, so a terminal shows them instead of obeying them."""
    out = []
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


# -- reading a form ----------------------------------------------------------------------


def read_fields(operation: ConsoleOperation, values: Mapping[str, str]) -> dict[str, Any]:
    """The typed values of the fields that were filled. Raises ``FormError``."""
    out: dict[str, Any] = {}
    missing = []
    for spec in operation.fields:
        raw = (values.get(spec.name) or "").strip()
        if not raw:
            if spec.required:
                missing.append(spec.name)
            continue
        out[spec.name] = _convert(spec, raw)
    if missing:
        raise FormError(f"fill in {', '.join(missing)}")
    return out


def _convert(spec: Field, raw: str) -> Any:
    if spec.choices and raw not in spec.choices:
        raise FormError(f"{spec.name} must be one of {', '.join(spec.choices)}")
    if spec.kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise FormError(f"{spec.name} must be a whole number") from None
    if spec.kind == "number":
        try:
            float(raw)
        except ValueError:
            raise FormError(f"{spec.name} must be a number") from None
        return raw
    if spec.kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise FormError(f"{spec.name} must be true or false")
        return raw.lower()
    if spec.kind == "array":
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def read_body(body: Body, text: str) -> Any:
    """The body to send: decoded JSON, the text, or the file's ``Path``. Raises ``FormError``."""
    if body.kind == "json":
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormError(f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if body.kind == "file":
        if not text.strip():
            return None
        path = Path(text.strip()).expanduser()
        if not path.is_file():
            raise FormError(f"no such file: {text.strip()}")
        return path
    return text if text.strip() else None


# -- the client's own operations ---------------------------------------------------------

A = "/v1/accounts/{accountId}"
OFFSET = Field("offset", kind="integer", default="0", description="first item")
LIMIT = Field("limit", kind="integer", default="10", description="items, at most 100")


def _id(name: str) -> Field:
    return Field(name, "path", required=True)


def _json(skeleton: object) -> tuple[Body, ...]:
    return (Body("application/json", "json", json.dumps(skeleton, indent=2)),)


CONTACT_FIELDS = {"firstName": "", "lastName": "", "email": "", "mobile": {"number": "", "country": "US"},
                  "tags": [], "attributes": {}}  # fmt: skip
TEMPLATE_FIELDS = {"name": "", "template": "", "type": "SMS"}
CAMPAIGN_FIELDS = {"name": "", "template": "", "trigger": {"code": "M"},
                   "filters": {"tags": [], "contacts": [], "attributes": []}}  # fmt: skip
SEND_FIELDS = {"template": "", "contacts": [{"mobile": {"number": "", "country": "US"}}], "type": "SMS"}
CSV_EXAMPLE = "firstName,lastName,mobile,email\n"
SEND_KEYS = {"template", "contacts", "conversations", "filters", "media", "type", "conversationStrategy"}


def _sakari(
    name: str, method: str, path: str, summary: str, fields: tuple[Field, ...] = (),
    bodies: tuple[Body, ...] = (), *, body_required: bool = False, note: str = "",
) -> ConsoleOperation:  # fmt: skip
    return ConsoleOperation(
        key=f"sakari:{name}", group=SAKARI_GROUP, name=name, method=method, path=path, summary=summary,
        fields=fields, bodies=bodies, body_required=body_required, auth="profile token", note=note,
    )  # fmt: skip


def _named_catalog(group: str, noun: str, fields: object) -> tuple[ConsoleOperation, ...]:
    """The five operations of templates or campaigns: listed by name, created and updated from
    a JSON body like ``fields``, fetched and deleted by id."""
    path, one, item = f"{A}/{group}", f"{A}/{group}/{{{noun}Id}}", _id(f"{noun}Id")
    return (
        _sakari(f"{group}.fetchAll", "GET", path, f"Fetch {group}", (OFFSET, LIMIT, Field("name"))),
        _sakari(f"{group}.create", "POST", path, f"Create a {noun}", bodies=_json(fields), body_required=True),
        _sakari(f"{group}.fetch", "GET", one, f"Fetch a {noun}", (item,)),
        _sakari(f"{group}.update", "PUT", one, f"Update a {noun}", (item,), _json(fields), body_required=True),
        _sakari(f"{group}.remove", "DELETE", one, f"Delete a {noun}", (item,)),
    )


SAKARI_OPERATIONS: tuple[ConsoleOperation, ...] = (
    _sakari("auth.token", "POST", "/oauth2/token", "Get a new access token",
            note="client_id and client_secret come from the profile; the token is shown masked"),
    _sakari("contacts.fetchAll", "GET", f"{A}/contacts", "Fetch contacts (filters match \"contains\")",
            (OFFSET, LIMIT, Field("firstName"), Field("lastName"), Field("mobile"), Field("email"),
             Field("tags", kind="array", description="comma separated"))),
    _sakari("contacts.create", "POST", f"{A}/contacts", "Create contacts from JSON (one or a list) or CSV",
            (Field("mergeStrategy", choices=("append", "core", "remove")),),
            (*_json(CONTACT_FIELDS), Body("text/csv", "text", CSV_EXAMPLE)), body_required=True),
    _sakari("contacts.fetch", "GET", f"{A}/contacts/{{contactId}}", "Fetch a contact", (_id("contactId"),)),
    _sakari("contacts.update", "PUT", f"{A}/contacts/{{contactId}}", "Update a contact",
            (_id("contactId"),), _json(CONTACT_FIELDS), body_required=True),
    _sakari("contacts.remove", "DELETE", f"{A}/contacts/{{contactId}}", "Delete a contact", (_id("contactId"),)),
    _sakari("conversations.fetchAll", "GET", f"{A}/conversations", "Fetch conversations", (OFFSET, LIMIT)),
    _sakari("conversations.fetch", "GET", f"{A}/conversations/{{conversationId}}", "Fetch a conversation",
            (_id("conversationId"),)),
    _sakari("conversations.close", "PUT", f"{A}/conversations/{{conversationId}}/close", "Close a conversation",
            (_id("conversationId"),)),
    _sakari("messages.fetchAll", "GET", f"{A}/messages", "Fetch messages",
            (OFFSET, LIMIT, Field("contactId"), Field("conversationId"))),
    _sakari("messages.fetch", "GET", f"{A}/messages/{{messageId}}", "Fetch a message", (_id("messageId"),)),
    _sakari("messages.send", "POST", f"{A}/messages", "Send messages (to contacts, conversations or filters)",
            bodies=_json(SEND_FIELDS), body_required=True,
            note="sends real messages; not retried"),
    *_named_catalog("templates", "template", TEMPLATE_FIELDS),
    *_named_catalog("campaigns", "campaign", CAMPAIGN_FIELDS),
    _sakari("webhooks.fetchAll", "GET", f"{A}/webhooks", "Fetch webhook subscriptions"),
    _sakari("webhooks.subscribe", "POST", f"{A}/webhooks", "Subscribe a URL to events",
            bodies=_json({"url": "", "eventTypes": ["message-received"]}), body_required=True),
    _sakari("webhooks.unsubscribe", "DELETE", f"{A}/webhooks/{{url}}", "Unsubscribe a URL",
            (Field("url", "path", required=True, description="the subscribed URL"),)),
    _sakari("tools.shareFile", "POST", "/v1/tools/sharefile", "Host a file and get a short link",
            bodies=(Body("multipart/form-data", "file", "", "media"),), body_required=True,
            note="the body is the path of a file to upload"),
)  # fmt: skip


def _object(body: object, allowed: set[str] | None = None) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise FormError("the body must be a JSON object")
    if allowed is not None and body.keys() - allowed:
        unknown = ", ".join(sorted(body.keys() - allowed))
        raise FormError(f"not a field of this operation: {unknown} (it takes {', '.join(sorted(allowed))})")
    return body


def _create_contacts(client: SakariClient, v: dict[str, Any], media: str, body: Any) -> Awaitable[Any]:
    strategy = v.get("mergeStrategy")
    if media == "text/csv":
        return client.contacts.create(csv=body, merge_strategy=strategy)
    if not isinstance(body, dict | list):
        raise FormError("the body must be a JSON object or a list of them")
    return client.contacts.create(body, merge_strategy=strategy)


def _send(client: SakariClient, body: object) -> Awaitable[Any]:
    fields = dict(_object(body))
    template = fields.pop("template", None)
    if not isinstance(template, str):
        raise FormError("the body needs a template: the text to send")
    known = {k: fields.pop(k) for k in list(fields) if k in SEND_KEYS}
    return client.messages.send(
        template, contacts=known.get("contacts"), conversations=known.get("conversations"),
        filters=known.get("filters"), media=known.get("media"), type=known.get("type"),
        conversation_strategy=known.get("conversationStrategy"), extra=fields or None,
    )  # fmt: skip


def _template(client: SakariClient, body: object) -> Awaitable[Any]:
    fields = _object(body, {"name", "template", "type"})
    return client.templates.create(
        str(fields.get("name", "")), str(fields.get("template", "")), str(fields.get("type") or "SMS")
    )


def _subscribe(client: SakariClient, body: object) -> Awaitable[Any]:
    fields = _object(body, {"url", "eventTypes"})
    events = fields.get("eventTypes") or []
    if not isinstance(events, list):
        raise FormError("eventTypes must be a list")
    return client.webhooks.subscribe(str(fields.get("url", "")), [str(e) for e in events])


Call = Callable[[SakariClient, dict[str, Any], str, Any], Awaitable[Any]]

# operation id -> how to call the client's method with (client, fields, media type, body).
CALLS: dict[str, Call] = {
    "auth.token": lambda c, v, m, b: c.authentication.auth_token(),
    "contacts.fetchAll": lambda c, v, m, b: c.contacts.fetch_all(
        v.get("offset", 0), v.get("limit", 10), first_name=v.get("firstName"), last_name=v.get("lastName"),
        mobile=v.get("mobile"), email=v.get("email"), tags=v.get("tags")),
    "contacts.create": _create_contacts,
    "contacts.fetch": lambda c, v, m, b: c.contacts.fetch(v["contactId"]),
    "contacts.update": lambda c, v, m, b: c.contacts.update(v["contactId"], _object(b)),
    "contacts.remove": lambda c, v, m, b: c.contacts.remove(v["contactId"]),
    "conversations.fetchAll": lambda c, v, m, b: c.conversations.fetch_all(v.get("offset", 0), v.get("limit", 10)),
    "conversations.fetch": lambda c, v, m, b: c.conversations.fetch(v["conversationId"]),
    "conversations.close": lambda c, v, m, b: c.conversations.close(v["conversationId"]),
    "messages.fetchAll": lambda c, v, m, b: c.messages.fetch_all(
        v.get("offset", 0), v.get("limit", 10), contact_id=v.get("contactId"),
        conversation_id=v.get("conversationId")),
    "messages.fetch": lambda c, v, m, b: c.messages.fetch(v["messageId"]),
    "messages.send": lambda c, v, m, b: _send(c, b),
    "templates.fetchAll": lambda c, v, m, b: c.templates.fetch_all(v.get("offset", 0), v.get("limit", 10),
                                                                   name=v.get("name")),
    "templates.create": lambda c, v, m, b: _template(c, b),
    "templates.fetch": lambda c, v, m, b: c.templates.fetch(v["templateId"]),
    "templates.update": lambda c, v, m, b: c.templates.update(v["templateId"], _object(b)),
    "templates.remove": lambda c, v, m, b: c.templates.remove(v["templateId"]),
    "campaigns.fetchAll": lambda c, v, m, b: c.campaigns.fetch_all(v.get("offset", 0), v.get("limit", 10),
                                                                   name=v.get("name")),
    "campaigns.create": lambda c, v, m, b: c.campaigns.create(_object(b)),
    "campaigns.fetch": lambda c, v, m, b: c.campaigns.fetch(v["campaignId"]),
    "campaigns.update": lambda c, v, m, b: c.campaigns.update(v["campaignId"], _object(b)),
    "campaigns.remove": lambda c, v, m, b: c.campaigns.remove(v["campaignId"]),
    "webhooks.fetchAll": lambda c, v, m, b: c.webhooks.fetch_all(),
    "webhooks.subscribe": lambda c, v, m, b: _subscribe(c, b),
    "webhooks.unsubscribe": lambda c, v, m, b: c.webhooks.unsubscribe(v["url"]),
    "tools.shareFile": lambda c, v, m, b: c.tools.share_file(b),
}  # fmt: skip


def sakari_operation(name: str) -> ConsoleOperation:
    return next(op for op in SAKARI_OPERATIONS if op.name == name)


async def call_sakari(
    client: SakariClient,
    operation: ConsoleOperation,
    values: Mapping[str, str],
    media_type: str = "",
    body_text: str = "",
) -> Answer:
    """Call one of the client's operations with what was typed; the answer as it came.

    Raises ``FormError`` (nothing sent) for a form that cannot be sent; an error answer
    from the API, or no answer at all, is an ``Answer`` with ``error`` set.
    """
    fields = read_fields(operation, values)
    body = None
    if operation.bodies:
        chosen = next((b for b in operation.bodies if b.media_type == media_type), operation.bodies[0])
        body = read_body(chosen, body_text)
        media_type = chosen.media_type
        if body is None and operation.body_required:
            raise FormError("this operation needs a body")
    try:
        pending = CALLS[operation.name](client, fields, media_type, body)
    except ValueError as exc:  # the client refused the arguments before sending
        raise FormError(str(exc)) from None
    started = clock()
    error = None
    with client.capture() as captured:
        try:
            await pending
        except SakariError as exc:
            error = str(exc)
        except ValueError as exc:
            raise FormError(str(exc)) from None
        except OSError as exc:  # a file to upload that cannot be read
            raise FormError(f"cannot read the file: {exc.strerror or type(exc).__name__}") from None
    elapsed_ms = (clock() - started) * 1000
    last = captured.last
    if last is None:
        return Answer(f"{operation.method} {operation.path}", None, elapsed_ms, error=error, requests=0)
    return Answer(
        request=f"{last.method} {last.url}",
        status=last.status,
        elapsed_ms=elapsed_ms,
        body=last.body,
        text=last.text,
        error=error,
        requests=len(captured.exchanges),
    )
