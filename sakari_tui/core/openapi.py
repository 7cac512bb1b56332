"""Reading an OpenAPI 3.x document (JSON or YAML, from a file or an http(s) URL) into
what a console needs: title, version, servers, and each operation with its parameters,
request body schema and security.

Problems are ``SpecError(message, location)``: for a syntax error the location is the file
with its line and column; for a document of the wrong shape it is the file and the JSON
pointer of the offending node (``spec.yaml#/paths/~1pets/get/parameters/0/in``).

YAML is read with a SafeLoader that also accepts YAML 1.1's bare ``=`` (the "value" tag)
as a plain string: published documents use it in enums of comparison operators.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import yaml

MAX_BYTES = 10 * 1024 * 1024
MAX_NODES = 1_000_000  # a YAML alias bomb expands past this long before memory runs out
FETCH_TIMEOUT = 15.0
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
_TEMPLATE = re.compile(r"{([^{}]+)}")

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """SafeLoader that reads YAML 1.1's bare ``=`` (the value tag) as the string "="."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


class SpecError(Exception):
    """A document that cannot be used, with where the problem is."""

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message, location)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


# -- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    description: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path", "query", "header" or "cookie"
    required: bool = False
    description: str = ""
    schema: Mapping[str, Any] = field(default_factory=dict)  # $refs inlined


@dataclass(frozen=True)
class MediaType:
    media_type: str
    schema: Mapping[str, Any] = field(default_factory=dict)  # $refs inlined
    example: Any = None


@dataclass(frozen=True)
class RequestBody:
    content: tuple[MediaType, ...]
    required: bool = False
    description: str = ""

    @property
    def schema(self) -> Mapping[str, Any]:
        """The schema of the JSON form when there is one, else of the first."""
        for media in self.content:
            if is_json_media(media.media_type):
                return media.schema
        return self.content[0].schema if self.content else {}


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: str  # "oauth2", "http", "apiKey", "openIdConnect", "mutualTLS"
    scheme: str = ""  # for "http": "bearer", "basic", ...

    @property
    def is_bearer(self) -> bool:
        """Whether a bearer access token satisfies it."""
        return self.type in ("oauth2", "openIdConnect") or (self.type == "http" and self.scheme.lower() == "bearer")

    def describe(self) -> str:
        return f"{self.type} {self.scheme}".strip()


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str
    operation_id: str = ""
    summary: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    request_body: RequestBody | None = None
    # Alternatives, each the names of the schemes required together; () asks for none,
    # and an empty alternative means "or no authentication".
    security: tuple[tuple[str, ...], ...] = ()

    @property
    def name(self) -> str:
        return self.operation_id or f"{self.method} {self.path}"


@dataclass(frozen=True)
class ApiDocument:
    source: str
    openapi: str
    title: str
    version: str
    servers: tuple[Server, ...] = ()
    operations: tuple[Operation, ...] = ()
    security_schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)

    def uses_bearer(self, operation: Operation) -> bool:
        """True when the operation asks for OAuth2 or HTTP bearer authentication."""
        for alternative in operation.security:
            schemes = [self.security_schemes.get(name) for name in alternative]
            if alternative and all(s is not None and s.is_bearer for s in schemes):
                return True
        return False

    def auth_of(self, operation: Operation) -> str:
        """How the operation authenticates, in a few words: "oauth2", "none", ..."""
        names = sorted({n for alternative in operation.security for n in alternative})
        if not names:
            return "none"
        return ", ".join(self.security_schemes[n].describe() for n in names if n in self.security_schemes)


def is_json_media(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


# -- loading -----------------------------------------------------------------------------


def is_url(path_or_url: str) -> bool:
    return urlsplit(path_or_url.strip()).scheme.lower() in ("http", "https")


def load_document(path_or_url: str, *, transport: httpx.BaseTransport | None = None) -> ApiDocument:
    """Read, parse and check an OpenAPI 3.x document. Raises ``SpecError``."""
    source = path_or_url.strip()
    if is_url(source):
        text, hint = _fetch(source, transport)
    else:
        text, hint = _read_file(source)
    return parse_document(text, source, hint)


async def load_document_async(path_or_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> ApiDocument:
    """``load_document`` for an event loop: the download is async, reading and parsing
    run in a thread."""
    source = path_or_url.strip()
    if is_url(source):
        text, hint = await _fetch_async(source, transport)
    else:
        text, hint = await asyncio.to_thread(_read_file, source)
    return await asyncio.to_thread(parse_document, text, source, hint)


def _read_file(source: str) -> tuple[str, str]:
    if not source:
        raise SpecError("give a file path or an http(s) URL")
    if "://" in source:
        raise SpecError("only http:// and https:// URLs can be fetched", source)
    path = Path(source).expanduser()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SpecError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", source)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError("no such file", source) from None
    except IsADirectoryError:
        raise SpecError("this is a directory, not a file", source) from None
    except OSError as exc:
        raise SpecError(f"cannot read the file ({exc.strerror or type(exc).__name__})", source) from None
    return _decode(raw, source), path.suffix.lower()


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text (byte {exc.start})", source) from None


def _fetch(url: str, transport: httpx.BaseTransport | None) -> tuple[str, str]:
    try:
        with (
            httpx.Client(transport=transport, timeout=FETCH_TIMEOUT, follow_redirects=True) as http,
            http.stream("GET", url, headers={"Accept": "application/json, application/yaml, */*"}) as response,
        ):
            raw = _check_response(response, url, b"".join(_capped(response.iter_bytes(), url)))
    except httpx.HTTPError as exc:
        raise _network_error(exc, url) from None
    return _decode(raw, url), _hint(response, url)


async def _fetch_async(url: str, transport: httpx.AsyncBaseTransport | None) -> tuple[str, str]:
    try:
        async with (
            httpx.AsyncClient(transport=transport, timeout=FETCH_TIMEOUT, follow_redirects=True) as http,
            http.stream("GET", url, headers={"Accept": "application/json, application/yaml, */*"}) as response,
        ):
            chunks = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise SpecError(f"the document is larger than {MAX_BYTES // (1024 * 1024)} MB", url)
                chunks.append(chunk)
            raw = _check_response(response, url, b"".join(chunks))
    except httpx.HTTPError as exc:
        raise _network_error(exc, url) from None
    return _decode(raw, url), _hint(response, url)


def _capped(chunks: Iterable[bytes], url: str) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_BYTES:
            raise SpecError(f"the document is larger than {MAX_BYTES // (1024 * 1024)} MB", url)
        yield chunk


def _check_response(response: httpx.Response, url: str, raw: bytes) -> bytes:
    if not response.is_success:
        raise SpecError(f"the server answered HTTP {response.status_code} {response.reason_phrase}".rstrip(), url)
    return raw


def _hint(response: httpx.Response, url: str) -> str:
    content_type = response.headers.get("Content-Type", "").lower()
    if "json" in content_type:
        return ".json"
    if "yaml" in content_type:
        return ".yaml"
    return Path(urlsplit(url).path).suffix.lower()


def _network_error(exc: httpx.HTTPError, url: str) -> SpecError:
    if isinstance(exc, httpx.TimeoutException):
        return SpecError("timed out fetching the document", url)
    if isinstance(exc, httpx.ConnectError):
        return SpecError("could not connect to the server", url)
    return SpecError(f"could not fetch the document ({type(exc).__name__})", url)


# -- parsing -----------------------------------------------------------------------------


def parse_text(text: str, source: str = "", hint: str = "") -> Any:
    """The JSON or YAML ``text`` as Python data; syntax errors say line and column."""
    stripped = text.lstrip()
    if hint == ".json" or (hint not in (".yaml", ".yml") and stripped.startswith("{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"not valid JSON: {exc.msg}", _at(source, exc.lineno, exc.colno)) from None
        except RecursionError:
            raise SpecError("not usable: nested too deeply", source) from None
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or "syntax error"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SpecError(f"not valid YAML: {reason}", _at(source, line, column)) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML: {exc}", source) from None
    except RecursionError:
        raise SpecError("not usable: nested too deeply", source) from None


def _at(source: str, line: int | None, column: int | None) -> str:
    where = source or "<document>"
    return f"{where}, line {line}, column {column}" if line is not None else where


def parse_document(text: str, source: str = "", hint: str = "") -> ApiDocument:
    """An ``ApiDocument`` from the text of an OpenAPI 3.x document. Raises ``SpecError``."""
    data = parse_text(text, source, hint)
    try:
        return _Reader(data, source).document()
    except RecursionError:
        raise SpecError("not usable: nested too deeply", source) from None


def pointer(*parts: object) -> str:
    """A JSON pointer from its reference tokens: ("paths", "/pets") -> "/paths/~1pets"."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _Reader:
    def __init__(self, root: Any, source: str) -> None:
        self.root = root
        self.source = source or "<document>"

    def fail(self, where: str, message: str) -> SpecError:
        return SpecError(message, f"{self.source}#{where}")

    # -- the top level

    def document(self) -> ApiDocument:
        root = self.root
        if not isinstance(root, dict):
            kind = "empty" if root is None else f"a {_kind(root)}"
            raise self.fail("", f"not an OpenAPI document: the top level is {kind}, not a mapping")
        if "openapi" not in root:
            if "swagger" in root:
                raise self.fail("/swagger", f"Swagger {root['swagger']} (OpenAPI 2) is not supported: "
                                            "convert the document to OpenAPI 3")  # fmt: skip
            raise self.fail("/openapi", "not an OpenAPI document: the `openapi` field is missing")
        version = root["openapi"]
        if not isinstance(version, str | int | float) or isinstance(version, bool) or not str(version).startswith("3."):
            raise self.fail("/openapi", f"OpenAPI {version!r} is not supported: 3.0 or 3.1 expected")
        self.check_refs()
        info = self.mapping(root.get("info"), "/info", "the `info` object is missing")
        title = self.text(info.get("title"), "/info/title", "the API has no `title`")
        api_version = self.text(info.get("version"), "/info/version", "the API has no `version`")
        if "paths" not in root:
            raise self.fail("/paths", "the document has no `paths`: nothing to call")
        paths = self.mapping(root["paths"], "/paths", "`paths` must be a mapping of paths to operations")
        schemes = self.security_schemes()
        root_security = self.security(root.get("security"), "/security", schemes) if "security" in root else ()
        operations = []
        seen_ids: dict[str, str] = {}
        for path, item in paths.items():
            where = pointer("paths", path)
            if not isinstance(path, str) or not path.startswith("/"):
                raise self.fail(where, f"path {path!r} must start with /")
            for operation in self.path_item(path, item, where, schemes, root_security):
                if operation.operation_id:
                    if operation.operation_id in seen_ids:
                        raise self.fail(
                            pointer("paths", path, operation.method.lower(), "operationId"),
                            f"operationId {operation.operation_id!r} is used twice (also at {seen_ids[operation.operation_id]})",
                        )
                    seen_ids[operation.operation_id] = f"{operation.method} {operation.path}"
                operations.append(operation)
        return ApiDocument(
            source=self.source,
            openapi=str(version),
            title=title,
            version=api_version,
            servers=self.servers(root.get("servers"), "/servers"),
            operations=tuple(operations),
            security_schemes=schemes,
        )

    def mapping(self, value: object, where: str, missing: str) -> dict[str, Any]:
        value = self.deref(value, where)
        if value is None:
            raise self.fail(where, missing)
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, found a {_kind(value)}")
        return value

    def text(self, value: object, where: str, missing: str) -> str:
        if value is None or value == "":
            raise self.fail(where, missing)
        if isinstance(value, dict | list):
            raise self.fail(where, f"expected text, found a {_kind(value)}")
        return str(value)  # a YAML number or date is read as what it looks like

    # -- references

    def check_refs(self) -> None:
        """Every ``$ref`` must point to something in this document."""
        stack: list[tuple[Any, tuple[object, ...]]] = [(self.root, ())]
        visited = 0
        while stack:
            node, parts = stack.pop()
            visited += 1
            if visited > MAX_NODES:
                raise self.fail("", f"the document is too large to read (over {MAX_NODES} nodes)")
            if isinstance(node, dict):
                ref = node.get("$ref")
                if "$ref" in node:
                    self.target(ref, pointer(*parts, "$ref"))
                stack.extend((value, (*parts, key)) for key, value in node.items() if key != "$ref")
            elif isinstance(node, list):
                stack.extend((value, (*parts, index)) for index, value in enumerate(node))

    def target(self, ref: Any, where: str) -> Any:
        if not isinstance(ref, str):
            raise self.fail(where, f"$ref must be text, found a {_kind(ref)}")
        if not ref.startswith("#"):
            raise self.fail(where, f"$ref {ref!r} points outside this document, which is not supported")
        node: object = self.root
        fragment = unquote(ref[1:])
        if fragment and not fragment.startswith("/"):
            raise self.fail(where, f"$ref {ref!r} is not a JSON pointer (#/...)")
        for token in fragment.split("/")[1:] if fragment else ():
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, dict) and key.isdigit() and int(key) in node:
                node = node[int(key)]  # YAML reads unquoted response codes as numbers
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise self.fail(where, f"$ref {ref!r} points to nothing")
        return node

    def deref(self, value: object, where: str) -> Any:
        """Follow ``$ref`` chains of one object (parameters, request bodies...)."""
        seen: set[str] = set()
        while isinstance(value, dict) and "$ref" in value:
            ref = value["$ref"]
            if ref in seen:
                raise self.fail(where, f"$ref {ref!r} refers to itself")
            seen.add(ref)
            value = self.target(ref, where + "/$ref")
        return value

    def inline(self, schema: object, where: str, seen: tuple[str, ...] = (), depth: int = 0) -> Any:
        """``schema`` with every $ref replaced by its target; a recursive one becomes {}."""
        if depth > 64:
            return {}
        if isinstance(schema, dict):
            if "$ref" in schema:
                ref = schema["$ref"]
                if ref in seen:
                    return {"description": f"(recursive: {ref})"}
                return self.inline(self.target(ref, where + "/$ref"), where, (*seen, ref), depth + 1)
            return {key: self.inline(value, where, seen, depth + 1) for key, value in schema.items()}
        if isinstance(schema, list):
            return [self.inline(value, where, seen, depth + 1) for value in schema]
        return schema

    # -- servers and security

    def servers(self, value: object, where: str) -> tuple[Server, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(where, f"`servers` must be a list, found a {_kind(value)}")
        servers = []
        for index, entry in enumerate(value):
            entry = self.mapping(entry, f"{where}/{index}", "empty server entry")
            url = self.text(entry.get("url"), f"{where}/{index}/url", "a server needs a `url`")
            variables: dict[str, Any] = entry["variables"] if isinstance(entry.get("variables"), dict) else {}
            for name, variable in variables.items():
                if isinstance(variable, dict) and "default" in variable:
                    url = url.replace("{" + str(name) + "}", str(variable["default"]))
            if is_url(self.source) and not urlsplit(url).scheme:
                url = urljoin(self.source, url)
            servers.append(Server(url, str(entry.get("description") or "")))
        return tuple(servers)

    def security_schemes(self) -> dict[str, SecurityScheme]:
        components = self.root.get("components")
        if components is None:
            return {}
        components = self.mapping(components, "/components", "")
        found = components.get("securitySchemes")
        if found is None:
            return {}
        found = self.mapping(found, "/components/securitySchemes", "")
        schemes = {}
        for name, scheme in found.items():
            where = pointer("components", "securitySchemes", name)
            scheme = self.mapping(scheme, where, "empty security scheme")
            kind = self.text(scheme.get("type"), where + "/type", "a security scheme needs a `type`")
            schemes[str(name)] = SecurityScheme(str(name), kind, str(scheme.get("scheme") or ""))
        return schemes

    def security(self, value: object, where: str, schemes: Mapping[str, SecurityScheme]) -> tuple[tuple[str, ...], ...]:
        if not isinstance(value, list):
            raise self.fail(where, f"`security` must be a list, found a {_kind(value)}")
        alternatives = []
        for index, requirement in enumerate(value):
            if not isinstance(requirement, dict):
                raise self.fail(f"{where}/{index}", f"expected a mapping, found a {_kind(requirement)}")
            for name in requirement:
                if name not in schemes:
                    raise self.fail(pointer(*_split(where), index, name), f"unknown security scheme {name!r}")
            alternatives.append(tuple(str(name) for name in requirement))
        return tuple(alternatives)

    # -- operations

    def path_item(
        self,
        path: str,
        item: object,
        where: str,
        schemes: Mapping[str, SecurityScheme],
        root_security: tuple[tuple[str, ...], ...],
    ) -> list[Operation]:
        item = self.mapping(item, where, "empty path item")
        shared = self.parameters(item.get("parameters"), where + "/parameters")
        operations = []
        for method in HTTP_METHODS:
            if method not in item:
                continue
            at = f"{where}/{method}"
            op = self.mapping(item[method], at, f"empty {method.upper()} operation")
            own = self.parameters(op.get("parameters"), at + "/parameters")
            merged = {(p.name, p.location): p for p in shared}
            merged.update({(p.name, p.location): p for p in own})
            parameters = list(merged.values())
            declared = {p.name for p in parameters if p.location == "path"}
            for name in _TEMPLATE.findall(path):
                if name not in declared:  # common in the wild: ask for it anyway
                    parameters.insert(0, Parameter(name, "path", True, "", {"type": "string"}))
            security = self.security(op["security"], at + "/security", schemes) if "security" in op else root_security
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=str(op.get("operationId") or ""),
                    summary=str(op.get("summary") or ""),
                    description=str(op.get("description") or ""),
                    parameters=tuple(parameters),
                    request_body=self.request_body(op.get("requestBody"), at + "/requestBody"),
                    security=security,
                )
            )
        return operations

    def parameters(self, value: object, where: str) -> list[Parameter]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"`parameters` must be a list, found a {_kind(value)}")
        found = []
        for index, entry in enumerate(value):
            at = f"{where}/{index}"
            entry = self.mapping(entry, at, "empty parameter")
            name = self.text(entry.get("name"), at + "/name", "a parameter needs a `name`")
            location = entry.get("in")
            if location not in PARAMETER_LOCATIONS:
                raise self.fail(at + "/in", f"parameter {name!r}: `in` must be one of {', '.join(PARAMETER_LOCATIONS)}")
            schema = entry.get("schema")
            if schema is None and isinstance(entry.get("content"), dict) and entry["content"]:
                first: Any = next(iter(entry["content"].values()), {})
                schema = first.get("schema")
            found.append(
                Parameter(
                    name=name,
                    location=location,
                    required=bool(entry.get("required")) or location == "path",
                    description=str(entry.get("description") or ""),
                    schema=self.inline(schema or {}, at + "/schema"),
                )
            )
        return found

    def request_body(self, value: object, where: str) -> RequestBody | None:
        if value is None:
            return None
        body = self.mapping(value, where, "empty request body")
        content = self.mapping(body.get("content"), where + "/content", "a request body needs `content`")
        media = []
        for media_type, entry in content.items():
            at = pointer(*_split(where), "content", media_type)
            entry = self.deref(entry, at) or {}
            if not isinstance(entry, dict):
                raise self.fail(at, f"expected a mapping, found a {_kind(entry)}")
            media.append(
                MediaType(str(media_type), self.inline(entry.get("schema") or {}, at + "/schema"), entry.get("example"))
            )
        return RequestBody(tuple(media), bool(body.get("required")), str(body.get("description") or ""))


def _split(where: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in where.split("/")[1:]]


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


# -- example bodies ----------------------------------------------------------------------


def skeleton(schema: object, depth: int = 0) -> Any:
    """A JSON value shaped like ``schema`` (an inlined JSON schema), to start a request
    body from: objects with every property, one item per array, examples and defaults
    where the schema gives them, else empty values."""
    if not isinstance(schema, Mapping) or depth > 8:
        return None
    for key in ("example", "default", "const"):
        if key in schema and _jsonable(schema[key]):
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"] and _jsonable(schema["examples"][0]):
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _plain(schema["enum"][0])
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = skeleton(part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        own = {k: v for k, v in schema.items() if k != "allOf"}
        value = skeleton(own, depth + 1) if own.get("properties") else None
        if isinstance(value, dict):
            merged.update(value)
        return merged
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return skeleton(schema[key][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):  # 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or (kind is None and isinstance(schema.get("properties"), Mapping)):
        properties: Mapping[str, Any] = schema["properties"] if isinstance(schema.get("properties"), Mapping) else {}
        return {str(name): skeleton(sub, depth + 1) for name, sub in properties.items()}
    if kind == "array":
        item = skeleton(schema.get("items"), depth + 1)
        return [] if item is None else [item]
    return {"string": "", "integer": 0, "number": 0, "boolean": False}.get(str(kind))


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _plain(value: object) -> Any:
    return value if _jsonable(value) else str(value)
