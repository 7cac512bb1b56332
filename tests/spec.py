"""Load the Sakari OpenAPI document and turn its schemas into plain JSON Schema.

The document is third-party data and lives outside the project: at
``../shared/spec/sakari-openapi.yaml`` from the project root, or wherever
``SAKARI_OPENAPI_SPEC`` points. Tests that need it skip when it is missing.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "spec" / "sakari-openapi.yaml"

# OpenAPI keywords that mean nothing to a JSON Schema validator or generator.
_DROP = {"example", "description", "xml", "externalDocs", "deprecated", "discriminator"}
# Formats a generator cannot know; the validator ignores unknown formats anyway.
_DROP_FORMATS = {"int64", "int32", "double", "float", "binary", "uri"}


class _SpecLoader(yaml.SafeLoader):
    """SafeLoader that reads YAML 1.1's bare ``=`` (the value tag) as a plain string."""


_SpecLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def spec_path() -> Path | None:
    path = Path(os.environ.get("SAKARI_OPENAPI_SPEC", DEFAULT_SPEC))
    return path if path.is_file() else None


@functools.cache
def load_spec() -> dict[str, Any]:
    path = spec_path()
    if path is None:
        pytest.skip("Sakari OpenAPI spec not found (set SAKARI_OPENAPI_SPEC)")
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SpecLoader)


def _inline(node: Any, spec: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"recursive schema reference {ref}")
            target: Any = spec
            for part in ref.lstrip("#/").split("/"):
                target = target[part]
            return _inline(target, spec, (*seen, ref))
        out = {}
        for key, value in node.items():
            if key in _DROP:
                continue
            if key == "format" and value in _DROP_FORMATS:
                continue
            if key == "properties":
                out[key] = {name: _inline(sub, spec, seen) for name, sub in value.items()}
            else:
                out[key] = _inline(value, spec, seen)
        return out
    if isinstance(node, list):
        return [_inline(item, spec, seen) for item in node]
    return copy.deepcopy(node)


def schema(name: str) -> dict[str, Any]:
    """The component schema ``name`` with every $ref inlined."""
    spec = load_spec()
    return _inline(spec["components"]["schemas"][name], spec)


def operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (METHOD, path, operation object)."""
    spec = load_spec()
    out = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                out[op["operationId"]] = (method.upper(), path, op)
    return out


def response_schema(operation_id: str, status: int) -> dict[str, Any] | None:
    """The inlined JSON schema of an operation's response for ``status``.

    Falls back to the ``4XX``/``5XX`` ranges. None when the spec gives no JSON body.
    """
    spec = load_spec()
    _, _, op = operations()[operation_id]
    responses = op.get("responses", {})
    entry = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if not entry or "content" not in entry:
        return None
    media = entry["content"].get("application/json")
    if not media or "schema" not in media:
        return None
    return _inline(media["schema"], spec)
