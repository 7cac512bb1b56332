"""Sources: OpenAPI documents added to the console, whose operations it can call.

A source is a name, where its document is (a path or an http(s) URL) and the server its
calls go to. They are kept in the config file as ``[sources.NAME]`` tables:

    [sources.petstore]
    path_or_url = "https://example.com/petstore.yaml"
    server_url = "https://petstore.example.com/v1"

Calls go through one ``httpx.AsyncClient`` per source. Operations whose document asks for
OAuth2 or bearer authentication get the profile's Sakari access token (through the
client's ``bearer_auth()``: the token never passes through here); the others get none.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from sakari_tui.api.capture import decode_body
from sakari_tui.core import console as _console
from sakari_tui.core.console import (
    Answer,
    Body,
    ConsoleOperation,
    Field,
    FormError,
    read_body,
    read_fields,
)
from sakari_tui.core.openapi import (
    ApiDocument,
    MediaType,
    Operation,
    Parameter,
    SpecError,
    is_json_media,
    load_document_async,
    skeleton,
)

CONFIG_TABLE = "sources"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
CALL_TIMEOUT = 30.0


@dataclass(frozen=True)
class SourceEntry:
    name: str
    path_or_url: str
    server_url: str

    def to_toml(self) -> dict[str, str]:
        return {"path_or_url": self.path_or_url, "server_url": self.server_url}


def check_name(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str | None:
    """Why ``name`` cannot name a new source, or None when it can."""
    if not NAME_PATTERN.match(name):
        return "a name is 1-32 letters, digits, - or _, starting with a letter or digit"
    if name in taken:
        return f"there is already a source named {name!r}"
    return None


def check_server_url(url: str) -> str | None:
    """Why calls cannot go to ``url``, or None when they can."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "the server URL must be an absolute http:// or https:// URL"
    return None


def suggest_name(document: ApiDocument, taken: set[str] | frozenset[str] = frozenset()) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", document.title.lower()).strip("-")[:24] or "api"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def default_server(document: ApiDocument) -> str:
    """The first absolute server URL of the document, or ""."""
    for server in document.servers:
        if check_server_url(server.url) is None:
            return server.url
    return ""


def entries_from_config(extra: Mapping[str, Any]) -> tuple[list[SourceEntry], list[str]]:
    """The sources saved in a config's extra tables, and what is wrong with the others."""
    table = extra.get(CONFIG_TABLE)
    if table is None:
        return [], []
    if not isinstance(table, Mapping):
        return [], [f"[{CONFIG_TABLE}] must be a table of [{CONFIG_TABLE}.NAME] tables"]
    entries, problems = [], []
    for name, values in table.items():
        if not isinstance(values, Mapping):
            problems.append(f"{CONFIG_TABLE}.{name} must be a table")
            continue
        path_or_url, server_url = values.get("path_or_url"), values.get("server_url")
        if not isinstance(path_or_url, str) or not path_or_url.strip():
            problems.append(f"{CONFIG_TABLE}.{name}: path_or_url is missing")
            continue
        if not isinstance(server_url, str) or check_server_url(server_url):
            problems.append(f"{CONFIG_TABLE}.{name}: server_url must be an http(s) URL")
            continue
        entries.append(SourceEntry(str(name), path_or_url, server_url))
    return entries, problems


def store_entries(extra: dict[str, Any], entries: list[SourceEntry]) -> None:
    """Write ``entries`` into a config's extra tables (dropping the table when empty)."""
    if entries:
        extra[CONFIG_TABLE] = {entry.name: entry.to_toml() for entry in entries}
    else:
        extra.pop(CONFIG_TABLE, None)


# -- forms -------------------------------------------------------------------------------


def _field(parameter: Parameter) -> Field:
    schema = parameter.schema
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    enum: list[Any] = schema["enum"] if isinstance(schema.get("enum"), list) else []
    default = schema.get("default")
    return Field(
        name=parameter.name,
        location=parameter.location,
        required=parameter.required,
        kind=kind if kind in ("integer", "number", "boolean", "array") else "string",
        description=parameter.description.strip().splitlines()[0] if parameter.description.strip() else "",
        default=""
        if default is None or isinstance(default, dict | list)
        else str(default).lower()
        if isinstance(default, bool)
        else str(default),
        choices=tuple(str(v) for v in enum if v is not None),
    )


def _body(media: MediaType) -> Body:
    base = media.media_type.split(";")[0].strip().lower()
    example = media.example if media.example is not None else None
    if is_json_media(base) or base == "application/x-www-form-urlencoded":
        value = example if example is not None else skeleton(media.schema)
        try:
            text = json.dumps(value, indent=2, ensure_ascii=False) if value is not None else ""
        except (TypeError, ValueError):
            text = ""
        return Body(media.media_type, "json", text)
    if base.startswith("text/") or base in ("application/xml", "application/yaml"):
        text = example if isinstance(example, str) else skeleton(media.schema)
        return Body(media.media_type, "text", text if isinstance(text, str) else "")
    if base == "multipart/form-data":
        properties: Mapping[str, Any] = (
            media.schema["properties"] if isinstance(media.schema.get("properties"), Mapping) else {}
        )
        binary = next((str(n) for n, s in properties.items()
                       if isinstance(s, Mapping) and s.get("format") in ("binary", "base64")), "file")  # fmt: skip
        return Body(media.media_type, "file", "", binary)
    return Body(media.media_type, "file")


def console_operation(source: str, index: int, document: ApiDocument, operation: Operation) -> ConsoleOperation:
    fields = tuple(_field(p) for p in operation.parameters if p.location in ("path", "query", "header"))
    skipped = [p.name for p in operation.parameters if p.location == "cookie"]
    body = operation.request_body
    bodies = tuple(_body(m) for m in body.content) if body else ()
    if document.uses_bearer(operation):
        auth = "profile token"
    elif operation.security and all(alternative for alternative in operation.security):
        auth = f"{document.auth_of(operation)} (not supported: sent without)"
    else:
        auth = "none"
    return ConsoleOperation(
        key=f"source:{source}:{index}",
        group=source,
        name=operation.name,
        method=operation.method,
        path=operation.path,
        summary=operation.summary or operation.description.strip().split("\n")[0][:200],
        fields=fields,
        bodies=bodies,
        body_required=bool(body and body.required),
        auth=auth,
        note=f"cookie parameters are not sent: {', '.join(skipped)}" if skipped else "",
    )


# -- the registry ------------------------------------------------------------------------


@dataclass
class Source:
    entry: SourceEntry
    document: ApiDocument | None = None
    error: str | None = None
    operations: tuple[ConsoleOperation, ...] = ()


Loader = Callable[[str], Any]  # path_or_url -> awaitable ApiDocument


class Sources:
    """The sources of one session: their documents, operations and HTTP clients."""

    def __init__(self, entries: list[SourceEntry] | None = None, *, loader: Loader = load_document_async,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:  # fmt: skip
        self._sources: dict[str, Source] = {e.name: Source(e) for e in entries or []}
        self._http: dict[str, httpx.AsyncClient] = {}
        self._loader = loader
        self._transport = transport  # tests and in-process servers
        self._lock = asyncio.Lock()

    def __iter__(self) -> Iterator[Source]:
        return iter(list(self._sources.values()))

    def __len__(self) -> int:
        return len(self._sources)

    def get(self, name: str) -> Source | None:
        return self._sources.get(name)

    @property
    def names(self) -> set[str]:
        return set(self._sources)

    def entries(self) -> list[SourceEntry]:
        return [source.entry for source in self._sources.values()]

    def operations(self) -> list[ConsoleOperation]:
        return [op for source in self._sources.values() for op in source.operations]

    def operation(self, key: str) -> tuple[Source, Operation, ConsoleOperation] | None:
        for source in self._sources.values():
            for index, op in enumerate(source.operations):
                if op.key == key and source.document is not None:
                    return source, source.document.operations[index], op
        return None

    async def load_all(self) -> list[Source]:
        """Read the documents not read yet; those that fail keep their error."""
        async with self._lock:
            pending = [s for s in self._sources.values() if s.document is None and s.error is None]
            results = await asyncio.gather(
                *(self._loader(s.entry.path_or_url) for s in pending), return_exceptions=True
            )
            for source, result in zip(pending, results, strict=True):
                if isinstance(result, SpecError):
                    source.error = str(result)
                elif isinstance(result, BaseException):
                    source.error = f"{type(result).__name__}: {result}"
                else:
                    self._attach(source, result)
            return pending

    def add(self, entry: SourceEntry, document: ApiDocument) -> Source:
        problem = check_name(entry.name, self.names) or check_server_url(entry.server_url)
        if problem:
            raise ValueError(problem)
        source = Source(entry)
        self._attach(source, document)
        self._sources[entry.name] = source
        return source

    async def remove(self, name: str) -> None:
        self._sources.pop(name, None)
        http = self._http.pop(name, None)
        if http is not None:
            await http.aclose()

    def _attach(self, source: Source, document: ApiDocument) -> None:
        source.document = document
        source.error = None
        source.operations = tuple(
            console_operation(source.entry.name, index, document, op) for index, op in enumerate(document.operations)
        )

    def _client(self, entry: SourceEntry) -> httpx.AsyncClient:
        http = self._http.get(entry.name)
        if http is None:
            http = httpx.AsyncClient(
                base_url=entry.server_url, timeout=CALL_TIMEOUT, transport=self._transport,
                headers={"Accept": "application/json, */*;q=0.5"},
            )  # fmt: skip
            self._http[entry.name] = http
        return http

    async def aclose(self) -> None:
        clients, self._http = list(self._http.values()), {}
        for http in clients:
            await http.aclose()

    async def call(
        self,
        key: str,
        values: Mapping[str, str],
        media_type: str = "",
        body_text: str = "",
        *,
        bearer: httpx.Auth | None = None,
        redact: Callable[[str], str | None] = lambda text: text,
    ) -> Answer:
        """Call a source's operation with what was typed. ``bearer`` is used only when the
        document asks for OAuth2/bearer auth. Raises ``FormError`` (nothing sent)."""
        found = self.operation(key)
        if found is None:
            raise FormError("this operation's source is gone")
        source, operation, form = found
        fields = read_fields(form, values)
        path = operation.path
        params: list[tuple[str, str | int | float | bool | None]] = []
        headers: dict[str, str] = {}
        for spec in form.fields:
            if spec.name not in fields:
                continue
            value = fields[spec.name]
            if spec.location == "path":
                filled = ",".join(value) if isinstance(value, list) else str(value)
                path = path.replace("{" + spec.name + "}", quote(filled, safe=""))
            elif spec.location == "query":
                params.extend((spec.name, str(v)) for v in (value if isinstance(value, list) else [value]))
            elif spec.name.lower() not in ("authorization", "content-type", "accept"):
                headers[spec.name] = ",".join(value) if isinstance(value, list) else str(value)
        options: dict[str, Any] = {}
        if form.bodies:
            chosen = next((b for b in form.bodies if b.media_type == media_type), form.bodies[0])
            body = read_body(chosen, body_text)
            if body is None and form.body_required:
                raise FormError("this operation needs a body")
            if body is not None:
                content_type, body_options = _body_options(chosen, body)
                options.update(body_options)
                if content_type:
                    headers["Content-Type"] = content_type
        assert source.document is not None
        auth = bearer if bearer is not None and source.document.uses_bearer(operation) else None
        http = self._client(source.entry)
        request_line = f"{operation.method} {source.entry.server_url.rstrip('/')}{path}"
        started = _console.clock()
        try:
            response = await http.request(
                operation.method, path.lstrip("/"), params=params or None, headers=headers or None, auth=auth, **options
            )
        except httpx.HTTPError as exc:
            elapsed = (_console.clock() - started) * 1000
            detail = redact(str(exc).strip()) or ""
            return Answer(request_line, None, elapsed, error=f"{type(exc).__name__}: {detail}".rstrip(": "))
        except Exception as exc:  # a SakariError from fetching the token, say
            elapsed = (_console.clock() - started) * 1000
            return Answer(request_line, None, elapsed, error=redact(str(exc)) or type(exc).__name__)
        elapsed = (_console.clock() - started) * 1000
        body_json, text = decode_body(response.content, redact)
        url = response.request.url
        shown = f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.raw_path.decode('ascii', 'replace')}"
        return Answer(
            request=f"{operation.method} {redact(shown) or shown}",
            status=response.status_code,
            elapsed_ms=elapsed,
            body=body_json,
            text=text,
            error=None if response.is_success else f"HTTP {response.status_code}",
            requests=len(response.history) + 1,
        )


def _body_options(body: Body, value: Any) -> tuple[str | None, dict[str, Any]]:
    """(Content-Type to set, or None to let httpx set it; request options) for a body."""
    base = body.media_type.split(";")[0].strip().lower()
    if body.kind == "json":
        if base == "application/x-www-form-urlencoded":
            if not isinstance(value, dict):
                raise FormError("a form body must be a JSON object of field: value")
            return None, {"data": {k: v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}}
        media = "application/json" if base == "*/*" else body.media_type
        return media, {"content": json.dumps(value, ensure_ascii=False).encode()}
    if body.kind == "text":
        return body.media_type, {"content": str(value).encode()}
    # a file: as a multipart field, or as the raw body
    try:
        content = value.read_bytes()
    except OSError as exc:
        raise FormError(f"cannot read {value}: {exc.strerror or type(exc).__name__}") from None
    if body.field_name:
        kind = mimetypes.guess_type(value.name)[0] or "application/octet-stream"
        return None, {"files": {body.field_name: (value.name, content, kind)}}
    return body.media_type, {"content": content}


__all__ = [
    "CONFIG_TABLE", "Source", "SourceEntry", "Sources", "check_name", "check_server_url",
    "console_operation", "default_server", "entries_from_config", "store_entries", "suggest_name",
]  # fmt: skip
