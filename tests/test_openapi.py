"""Reading OpenAPI documents: the Sakari one, small ones written here, and broken ones,
whose errors must say where the problem is."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import httpx
import pytest
from spec import spec_path

from sakari_tui.core.openapi import (
    ApiDocument,
    SpecError,
    load_document,
    load_document_async,
    parse_document,
    parse_text,
    pointer,
    skeleton,
)

PETS = """\
openapi: 3.0.3
info:
  title: Pets
  version: "2.1"
servers:
  - url: https://{region}.pets.test/v1
    description: Production
    variables:
      region: {default: eu}
security:
  - token: []
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
  parameters:
    limit: {name: limit, in: query, schema: {type: integer, default: 20}}
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        kind: {type: string, enum: [cat, dog]}
        tags: {type: array, items: {type: string}}
        owner: {$ref: '#/components/schemas/Owner'}
    Owner:
      type: object
      properties:
        name: {type: string, example: Ann}
        pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}
paths:
  /pets:
    get:
      operationId: pets.list
      summary: List pets
      parameters:
        - $ref: '#/components/parameters/limit'
      responses:
        200: {description: ok}
    post:
      operationId: pets.create
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        201: {description: created}
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    get:
      operationId: pets.fetch
      security: []
      responses:
        200: {description: ok}
    delete:
      operationId: pets.remove
      security: [{key: []}]
      responses:
        204: {description: gone}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def by_id(document: ApiDocument, operation_id: str):
    return next(op for op in document.operations if op.operation_id == operation_id)


# -- good documents ---------------------------------------------------------------------------


def test_the_sakari_document_loads_despite_its_bare_equals_sign() -> None:
    path = spec_path()
    if path is None:
        pytest.skip("Sakari OpenAPI spec not found (set SAKARI_OPENAPI_SPEC)")
    document = load_document(str(path))
    assert (document.title, document.version, document.openapi) == ("Sakari", "1.0.1", "3.0.0")
    assert [s.url for s in document.servers] == ["https://api.sakari.io/v1"]
    ids = {op.operation_id for op in document.operations}
    assert len(document.operations) == 26 and len(ids) == 26
    assert {"auth.token", "contacts.fetchAll", "tools.shareFile", "webhooks.unsubscribe"} <= ids
    # The bare "=" of AttributeFilter.comparator is read as the string "=".
    raw = parse_text(path.read_text(encoding="utf-8"), str(path))
    assert "=" in raw["components"]["schemas"]["AttributeFilter"]["properties"]["comparator"]["enum"]
    fetch_all = by_id(document, "contacts.fetchAll")
    assert (fetch_all.method, fetch_all.path) == ("GET", "/accounts/{accountId}/contacts")
    assert [(p.name, p.location) for p in fetch_all.parameters][:3] == [
        ("accountId", "path"),
        ("offset", "query"),
        ("limit", "query"),
    ]
    assert document.uses_bearer(fetch_all)  # OAuth2 client credentials
    assert not document.uses_bearer(by_id(document, "auth.token"))
    create = by_id(document, "contacts.create")
    assert [m.media_type for m in create.request_body.content] == ["application/json", "text/csv"]
    body = skeleton(create.request_body.schema)
    assert {"firstName", "lastName", "mobile", "tags"} <= body.keys()


def test_a_small_yaml_document(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "pets.yaml", PETS))
    assert (document.title, document.version) == ("Pets", "2.1")
    assert document.servers[0].url == "https://eu.pets.test/v1"  # variables filled in
    assert document.servers[0].description == "Production"
    assert [(op.method, op.path, op.name) for op in document.operations] == [
        ("GET", "/pets", "pets.list"), ("POST", "/pets", "pets.create"),
        ("GET", "/pets/{petId}", "pets.fetch"), ("DELETE", "/pets/{petId}", "pets.remove"),
    ]  # fmt: skip
    listing = by_id(document, "pets.list")
    assert listing.summary == "List pets"
    assert [(p.name, p.location, dict(p.schema)) for p in listing.parameters] == [
        ("limit", "query", {"type": "integer", "default": 20})
    ]
    # Path-level parameters apply to every operation of the path.
    assert [(p.name, p.required) for p in by_id(document, "pets.fetch").parameters] == [("petId", True)]
    # Security: the root asks for a bearer token; one operation opts out, one wants an API key.
    assert document.uses_bearer(listing)
    assert not document.uses_bearer(by_id(document, "pets.fetch"))
    assert not document.uses_bearer(by_id(document, "pets.remove"))
    assert document.auth_of(by_id(document, "pets.remove")) == "apiKey"
    assert document.auth_of(by_id(document, "pets.fetch")) == "none"


def test_request_body_skeleton_follows_refs_and_stops_at_recursion(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "pets.yaml", PETS))
    body = by_id(document, "pets.create").request_body
    assert body.required
    value = skeleton(body.schema)
    # Pet -> owner -> pets -> Pet again: the recursion is cut, leaving an empty list.
    assert value == {"name": "", "kind": "cat", "tags": [""], "owner": {"name": "Ann", "pets": []}}


def test_skeleton_of_common_shapes() -> None:
    assert skeleton({"type": "object", "properties": {"n": {"type": "integer"}, "b": {"type": "boolean"}}}) == {
        "n": 0,
        "b": False,
    }
    assert skeleton(
        {"allOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {"type": "number"}}}]}
    ) == {"a": "", "b": 0}
    assert skeleton({"oneOf": [{"type": "string", "enum": ["x"]}, {"type": "integer"}]}) == "x"
    assert skeleton({"type": ["null", "string"]}) == ""
    assert skeleton({"type": "array", "items": {"type": "string", "default": "d"}}) == ["d"]
    assert skeleton({"type": "string", "example": "e"}) == "e"
    assert skeleton({}) is None


def test_json_documents_and_openapi_3_1(tmp_path: Path) -> None:
    doc = {"openapi": "3.1.0", "info": {"title": "J", "version": "1"},
           "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}}}  # fmt: skip
    document = load_document(write(tmp_path, "j.json", json.dumps(doc)))
    assert document.openapi == "3.1.0" and document.servers == ()
    # No operationId: the console names it by method and path.
    assert document.operations[0].name == "GET /x"


def test_undeclared_path_template_becomes_a_required_parameter(tmp_path: Path) -> None:
    text = """\
        openapi: 3.0.0
        info: {title: T, version: "1"}
        paths:
          /a/{id}:
            get: {responses: {}}
        """
    document = load_document(write(tmp_path, "t.yaml", text))
    assert [(p.name, p.location, p.required) for p in document.operations[0].parameters] == [("id", "path", True)]


async def test_loading_over_http_resolves_relative_servers() -> None:
    text = PETS.replace("https://{region}.pets.test/v1", "/api/v1")

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/specs/pets":
            return httpx.Response(200, text=text, headers={"Content-Type": "application/yaml"})
        return httpx.Response(404, text="no")

    document = await load_document_async("http://docs.test/specs/pets", transport=httpx.MockTransport(serve))
    assert document.servers[0].url == "http://docs.test/api/v1"
    assert document.source == "http://docs.test/specs/pets"
    with pytest.raises(SpecError) as caught:
        await load_document_async("http://docs.test/missing.yaml", transport=httpx.MockTransport(serve))
    assert str(caught.value) == "http://docs.test/missing.yaml: the server answered HTTP 404 Not Found"
    # The synchronous loader too.
    assert load_document("http://docs.test/specs/pets", transport=httpx.MockTransport(serve)).title == "Pets"


def test_pointer_escapes_slashes_and_tildes() -> None:
    assert pointer("paths", "/a/{b}", "get") == "/paths/~1a~1{b}/get"
    assert pointer("x~y") == "/x~0y"


# -- broken documents -----------------------------------------------------------------------


BROKEN = [
    pytest.param("bad.yaml", "openapi: 3.0.0\ninfo:\n  title: [unclosed\n  version: 1\n",
                 "bad.yaml, line 4, column", "not valid YAML", id="not-yaml"),
    pytest.param("bad.json", '{"openapi": "3.0.0",\n  "info": {"title": "x",}\n}',
                 "bad.json, line 2, column 25", "not valid JSON", id="not-json"),
    pytest.param("prose.yaml", "Just some notes about an API.\n", "prose.yaml#",
                 "not an OpenAPI document: the top level is a string", id="yaml-but-a-string"),
    pytest.param("other.yaml", "name: my service\nendpoints: [a, b]\n", "other.yaml#/openapi",
                 "the `openapi` field is missing", id="yaml-but-not-openapi"),
    pytest.param("swagger.yaml", "swagger: '2.0'\ninfo: {title: S, version: '1'}\npaths: {}\n",
                 "swagger.yaml#/swagger", "Swagger 2.0 (OpenAPI 2) is not supported", id="swagger-2"),
    pytest.param("v4.yaml", "openapi: 4.0.0\ninfo: {title: S, version: '1'}\npaths: {}\n",
                 "v4.yaml#/openapi", "'4.0.0' is not supported", id="openapi-4"),
    pytest.param("nopaths.yaml", "openapi: 3.0.0\ninfo: {title: S, version: '1'}\n",
                 "nopaths.yaml#/paths", "no `paths`", id="missing-paths"),
    pytest.param("notitle.yaml", "openapi: 3.0.0\ninfo: {version: '1'}\npaths: {}\n",
                 "notitle.yaml#/info/title", "no `title`", id="missing-title"),
    pytest.param("dangling.yaml", textwrap.dedent("""\
        openapi: 3.0.0
        info: {title: S, version: '1'}
        paths:
          /a/b:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Nowhere'}
              responses: {}
        """), "dangling.yaml#/paths/~1a~1b/post/requestBody/content/application~1json/schema/$ref",
        "$ref '#/components/schemas/Nowhere' points to nothing", id="ref-to-nowhere"),
    pytest.param("external.yaml", textwrap.dedent("""\
        openapi: 3.0.0
        info: {title: S, version: '1'}
        paths:
          /a:
            get:
              parameters: [{$ref: 'common.yaml#/p'}]
              responses: {}
        """), "external.yaml#/paths/~1a/get/parameters/0/$ref", "points outside this document", id="external-ref"),
    pytest.param("badin.yaml", textwrap.dedent("""\
        openapi: 3.0.0
        info: {title: S, version: '1'}
        paths:
          /a:
            get:
              parameters: [{name: q, in: body}]
              responses: {}
        """), "badin.yaml#/paths/~1a/get/parameters/0/in", "`in` must be one of", id="bad-parameter"),
    pytest.param("badpath.yaml", "openapi: 3.0.0\ninfo: {title: S, version: '1'}\npaths: {pets: {}}\n",
                 "badpath.yaml#/paths/pets", "must start with /", id="path-without-slash"),
    pytest.param("security.yaml", textwrap.dedent("""\
        openapi: 3.0.0
        info: {title: S, version: '1'}
        security: [{ghost: []}]
        paths: {}
        """), "security.yaml#/security/0/ghost", "unknown security scheme 'ghost'", id="unknown-scheme"),
    pytest.param("twice.yaml", textwrap.dedent("""\
        openapi: 3.0.0
        info: {title: S, version: '1'}
        paths:
          /a: {get: {operationId: same, responses: {}}}
          /b: {get: {operationId: same, responses: {}}}
        """), "twice.yaml#/paths/~1b/get/operationId", "used twice", id="duplicate-operation-id"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "location", "message"), BROKEN)
def test_broken_documents_are_refused_with_their_location(
    tmp_path: Path, name: str, text: str, location: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_document(str(path))
    error = caught.value
    assert error.location.startswith(str(tmp_path / location)), error.location
    assert message in error.message, error.message
    assert str(error) == f"{error.location}: {error.message}"
    assert "\n" not in str(error)


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        load_document(str(tmp_path / "missing.yaml"))
    with pytest.raises(SpecError, match="a directory"):
        load_document(str(tmp_path))
    (tmp_path / "latin1.yaml").write_bytes(b"title: caf\xe9\n")
    with pytest.raises(SpecError, match="not UTF-8"):
        load_document(str(tmp_path / "latin1.yaml"))
    with pytest.raises(SpecError, match="only http:// and https://"):
        load_document("ftp://example.test/spec.yaml")
    with pytest.raises(SpecError, match="give a file path"):
        load_document("  ")


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ["openapi: 3.0.0", "info: {title: B, version: '1'}", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        lines.append(f"a{n}: &a{n} [{refs}]")
    lines.append("paths: {}")
    with pytest.raises(SpecError, match="too large"):
        parse_document("\n".join(lines), "bomb.yaml")


def test_yaml_numbers_and_dates_are_read_as_text_where_text_is_expected() -> None:
    document = parse_document("openapi: 3.0.0\ninfo: {title: T, version: 1.0}\npaths: {}\n", "v.yaml")
    assert document.version == "1.0"
