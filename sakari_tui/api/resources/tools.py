from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import BinaryIO

from ..envelope import data_object
from ..models import SharedFile
from .base import Resource


class Tools(Resource):
    async def share_file(
        self,
        data: bytes | str | os.PathLike[str] | BinaryIO,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> SharedFile:
        """Host a file and get a short link for a message or MMS media.

        ``data`` is the bytes, a path, or an open binary file. It is read into memory
        first so the upload can be sent again after a token refresh. Never retried.
        """
        if isinstance(data, bytes | bytearray):
            content = bytes(data)
        elif isinstance(data, str | os.PathLike):
            path = Path(data)
            content = path.read_bytes()
            filename = filename or path.name
        else:
            content = data.read()
            filename = filename or Path(getattr(data, "name", "") or "file").name
        filename = filename or "file"
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        body = await self._api.call(
            "POST", "/v1/tools/sharefile", files={"media": (filename, content, content_type)}
        )
        return SharedFile.from_json(data_object(body))
