"""Files in the Slack stand-in: Slack's upload flow (files.getUploadURLExternal, the upload itself,
files.completeUploadExternal), each upload checked (a PNG, the length announced, within Slack's
limits), and image blocks checked to refer to an uploaded, completed file."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_FILE_BYTES = 1_000_000_000  # Slack's limit for a file


@dataclass
class Upload:
    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str = ""
    complete: bool = False


class Files:
    """The stand-in's files (`standin.SlackStandIn` mixes it in)."""

    _lock: threading.Condition
    _ids: itertools.count[int]

    def _file_result(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The files methods' answers (None: not a files method)."""
        if method == "files.getUploadURLExternal":
            return self._upload_url(args)
        if method == "files.completeUploadExternal":
            return self._complete(args)
        return None

    def _init_files(self) -> None:
        self.uploads: dict[str, Upload] = {}
        self.files_url = ""  # http://127.0.0.1:<port>, set when the stand-in's server starts

    def _upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        length = int(args.get("length") or 0)
        if not args.get("filename") or not 0 < length <= MAX_FILE_BYTES:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        with self._lock:
            self.uploads[file_id] = Upload(file_id, str(args["filename"]), length)
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"{self.files_url}/upload/{file_id}",
        }

    def _receive(self, file_id: str, data: bytes) -> tuple[int, str]:
        """The upload's bytes: refused unless announced, of the announced length, and a PNG."""
        with self._lock:
            upload = self.uploads.get(file_id)
            if upload is None:
                return 404, "unknown upload"
            if len(data) != upload.length or not data.startswith(PNG_SIGNATURE):
                return 400, "not the PNG of the length announced"
            upload.data = data
        return 200, f"OK - {len(data)}"

    def _complete(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        listed = json.loads(files) if isinstance(files, str) else files or []
        done = []
        with self._lock:
            for item in listed:
                upload = self.uploads.get(str(item.get("id")))
                if upload is None or upload.data is None:
                    return {"ok": False, "error": "file_not_found"}
                upload.complete, upload.title = True, str(item.get("title") or upload.filename)
                done.append(self._file_info(upload))
        return {"ok": True, "files": done}

    def _file_info(self, upload: Upload) -> dict[str, Any]:
        url = f"{self.files_url}/files/{upload.file_id}"
        return {"id": upload.file_id, "title": upload.title, "name": upload.filename, "mimetype": "image/png",
                "url_private": url, "permalink": url}  # fmt: skip

    def _image_problems(self, payload: Any) -> list[str]:
        """Every image block's slack_file names an upload completed here."""
        found: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                slack_file = value.get("slack_file") if value.get("type") == "image" else None
                if isinstance(slack_file, dict):
                    upload = self.uploads.get(str(slack_file.get("id")))
                    if upload is None or not upload.complete:
                        found.append(f"image block refers to {slack_file!r}, not an uploaded file")
                for inner in value.values():
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        walk(payload)
        return found

    def uploaded(self, file_id: str) -> bytes | None:
        with self._lock:
            upload = self.uploads.get(file_id)
            return upload.data if upload and upload.complete else None
