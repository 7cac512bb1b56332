"""tools.shareFile, and the download of shared files."""

from __future__ import annotations

import mimetypes
import secrets
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..clock import iso, now
from ..errors import ApiError
from ..http import content_type, endpoint, ok, read_body
from ..records import SharedFile

if TYPE_CHECKING:
    from ..app import Sandbox

MAX_FILE = 5 * 1024 * 1024
LINK_LIFETIME = 7 * 24 * 3600


async def share_file(request: Request, sandbox: Sandbox) -> Response:
    kind = content_type(request)
    if kind == "multipart/form-data":
        await read_body(request, MAX_FILE + 64 * 1024)  # enforce the size before parsing
        async with request.form(max_part_size=MAX_FILE + 1) as form:  # closes the temp files
            upload = form.get("media")
            if not isinstance(upload, UploadFile):
                raise ApiError(400, "FILE-001", "No file: send it as the multipart field 'media'")
            data = await upload.read()
            name = upload.filename or "file"
            file_type = upload.content_type or ""
    elif kind == "application/octet-stream" or kind.startswith(("image/", "video/", "audio/")):
        data = await read_body(request, MAX_FILE)
        name = request.query_params.get("filename") or _name_from_disposition(request) or "file"
        file_type = "" if kind == "application/octet-stream" else kind
    else:
        raise ApiError(
            415, "REQ-003", "Send the file as multipart/form-data (field 'media') or application/octet-stream"
        )
    if not data:
        raise ApiError(400, "FILE-001", "The file is empty")
    if len(data) > MAX_FILE:
        raise ApiError(413, "FILE-002", f"Files are limited to {MAX_FILE} bytes")
    name = name.replace("/", "_").replace("\\", "_")
    if not file_type or file_type == "application/octet-stream":
        file_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    elif "." not in name:
        name += mimetypes.guess_extension(file_type) or ""
    shared = SharedFile(secrets.token_hex(8), name, file_type, data, now() + LINK_LIFETIME)
    sandbox.store.files[shared.id] = shared
    link = str(request.base_url).rstrip("/") + f"/files/{shared.id}/{quote(name)}"
    return ok({"link": link, "expires": iso(shared.expires_at)})


def _name_from_disposition(request: Request) -> str | None:
    disposition = request.headers.get("content-disposition", "")
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename" and value:
            return value.strip('"')
    return None


async def download(request: Request, sandbox: Sandbox) -> Response:
    shared = sandbox.store.files.get(request.path_params["file_id"])
    if shared is None or shared.expires_at < now():
        raise ApiError(404, "FILE-003", "Shared file not found")
    return Response(shared.data, media_type=shared.content_type)


def routes() -> list[Route]:
    return [
        Route("/v1/tools/sharefile", endpoint(share_file), methods=["POST"]),
        Route("/files/{file_id}/{name:path}", endpoint(download, auth=False), methods=["GET"]),
    ]
