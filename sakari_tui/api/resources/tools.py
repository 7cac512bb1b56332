from __future__ import annotations

import asyncio
import io
import mimetypes
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..envelope import data_object
from ..models import SharedFile
from .base import Resource

Progress = Callable[[int, int], object]


class _ProgressReader(io.BytesIO):
    """The upload's bytes, reporting (sent, total) as httpx reads them in chunks."""

    def __init__(self, content: bytes, progress: Progress) -> None:
        super().__init__(content)
        self._total = len(content)
        self._progress = progress

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self._progress(self.tell(), self._total)
        return chunk


class Tools(Resource):
    async def share_file(
        self,
        data: bytes | str | os.PathLike[str] | BinaryIO,
        filename: str | None = None,
        content_type: str | None = None,
        *,
        progress: Progress | None = None,
    ) -> SharedFile:
        """Host a file and get a short link for a message or MMS media.

        ``data`` is the bytes, a path, or an open binary file. It is read into memory
        first so the upload can be sent again after a token refresh. Never retried.
        ``progress(sent, total)`` is called as the bytes go out.
        """
        if isinstance(data, bytes | bytearray):
            content = bytes(data)
        elif isinstance(data, str | os.PathLike):
            path = Path(data)
            content = await asyncio.to_thread(path.read_bytes)
            filename = filename or path.name
        else:
            content = data.read()
            filename = filename or Path(getattr(data, "name", "") or "file").name
        filename = filename or "file"
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        # httpx seeks a file back to its start when it sends the body again (token refresh).
        payload = _ProgressReader(content, progress) if progress else content
        body = await self._api.call("POST", "/v1/tools/sharefile", files={"media": (filename, payload, content_type)})
        return SharedFile.from_json(data_object(body))
