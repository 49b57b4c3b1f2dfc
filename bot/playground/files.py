"""Files in the Slack stand-in: Slack's upload flow (files.getUploadURLExternal, the upload itself,
files.completeUploadExternal), each upload checked (the length announced, within Slack's limits; a
`.png` a PNG, a `.csv` UTF-8 text), image blocks checked to refer to an uploaded, completed image, and a
file's permalink in a post's text checked to be a completed upload's (the post shares it there)."""

from __future__ import annotations

import itertools
import json
import mimetypes
import re
import threading
from dataclasses import dataclass, field
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
    shared_in: set[str] = field(default_factory=set)  # the conversations a post linked it in

    @property
    def mimetype(self) -> str:
        return mimetypes.guess_type(self.filename)[0] or "application/octet-stream"


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
            if len(data) != upload.length:
                return 400, "not the length announced"
            problem = _content_problem(upload.filename, data)
            if problem:
                return 400, problem
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
        return {"id": upload.file_id, "title": upload.title, "name": upload.filename, "mimetype": upload.mimetype,
                "url_private": url, "permalink": url}  # fmt: skip

    def _linked_files(self, method: str, args: dict[str, Any]) -> list[str]:
        if method not in ("chat.postMessage", "chat.update"):
            return []
        return self.linked_files(str(args.get("text") or ""))

    def linked_files(self, text: str) -> list[str]:
        """The ids of the files a post's text links (by their permalinks here)."""
        return re.findall(re.escape(self.files_url) + r"/files/(F\w+)", text)

    def _link_problems(self, method: str, args: dict[str, Any]) -> list[str]:
        with self._lock:
            return [
                f"text links {file_id}, not an uploaded file"
                for file_id in self._linked_files(method, args)
                if file_id not in self.uploads or not self.uploads[file_id].complete
            ]

    def _share_linked(self, method: str, args: dict[str, Any]) -> None:
        """A post linking uploaded files shares them in its conversation."""
        with self._lock:
            for file_id in self._linked_files(method, args):
                self.uploads[file_id].shared_in.add(str(args.get("channel", "")))

    def _image_problems(self, payload: Any) -> list[str]:
        """Every image block's slack_file names an upload completed here."""
        found: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                slack_file = value.get("slack_file") if value.get("type") == "image" else None
                if isinstance(slack_file, dict):
                    upload = self.uploads.get(str(slack_file.get("id")))
                    if upload is None or not upload.complete or not upload.mimetype.startswith("image/"):
                        found.append(f"image block refers to {slack_file!r}, not an uploaded image")
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

    def upload(self, file_id: str) -> Upload | None:
        """A completed upload (its name, its bytes, where it was shared)."""
        with self._lock:
            upload = self.uploads.get(file_id)
            return upload if upload and upload.complete else None


def _content_problem(filename: str, data: bytes) -> str:
    """What Slack would show wrong: an image that is not one, a CSV that is not text."""
    if filename.lower().endswith(".png") and not data.startswith(PNG_SIGNATURE):
        return "a .png that is not a PNG"
    if filename.lower().endswith(".csv"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "a .csv that is not UTF-8 text"
    return ""
