"""A queued message's uploads, just before its post: the images its image blocks show and the files it
shares. Each is uploaded once, privately (never shared by the upload itself, which would post a second
message of its own); its file id, and a shared file's permalink, are kept, so a post sent again reuses
the upload. Image blocks then name the file id; a shared file's permalink goes into the post's text,
which shares the file in that conversation (Slack shows a file the bot uploaded to whoever sees a post
of the bot's that links it)."""

from __future__ import annotations

import re
from typing import Any

import orjson
from slack_sdk import WebClient

from bot.env import Env
from bot.notify.outbox import PENDING, PENDING_LINK
from store import outbox as outbox_store
from store.models.outbox import OutboxFile, OutboxImage


def has_uploads(payload: str) -> bool:
    return PENDING in payload or PENDING_LINK in payload


def with_uploads(env: Env, client: WebClient, payload: str, args: dict[str, Any]) -> dict[str, Any]:
    """The post's arguments with every queued image and file uploaded and named; raises Slack's or the
    network's error when an upload failed (the message is tried again later, the uploads already done
    kept)."""
    named: dict[str, str] = {}
    for image in _kept(env, OutboxImage, _ids(PENDING, payload)):
        named[f'"{PENDING}{image.id}"'] = f'"{image.file_id or _upload_image(env, client, image)}"'
    for shared in _kept(env, OutboxFile, _ids(PENDING_LINK, payload)):
        link = shared.permalink or _upload_file(env, client, shared)
        named[f"{PENDING_LINK}{shared.id}"] = orjson.dumps(link).decode()[1:-1]
    pointed = orjson.dumps(args).decode()
    for placeholder, value in named.items():
        pointed = pointed.replace(placeholder, value)
    found: dict[str, Any] = orjson.loads(pointed)
    return found


def _ids(prefix: str, payload: str) -> list[int]:
    return [int(found) for found in re.findall(re.escape(prefix) + r"(\d+)", payload)]


def _kept(env: Env, model: type[OutboxImage] | type[OutboxFile], ids: list[int]) -> list[Any]:
    if not ids:
        return []
    with env.db.session() as session:
        if model is OutboxImage:
            rows: list[Any] = list(outbox_store.images(session=session, ids=ids))
        else:
            rows = list(outbox_store.shared_files(session=session, ids=ids))
        for row in rows:
            session.expunge(row)
    return rows


def _upload_image(env: Env, client: WebClient, image: OutboxImage) -> str:
    file_id, _link = _upload(client, image.png, image.filename, image.title)
    with env.db.session() as session:
        outbox_store.uploaded(session=session, image_id=image.id or 0, file_id=file_id, now=env.clock.now())
    return file_id


def _upload_file(env: Env, client: WebClient, shared: OutboxFile) -> str:
    file_id, permalink = _upload(client, shared.content, shared.filename, shared.title)
    with env.db.session() as session:
        outbox_store.file_uploaded(
            session=session,
            file_row_id=shared.id or 0,
            file_id=file_id,
            permalink=permalink,
            now=env.clock.now(),
        )
    return permalink


def _upload(client: WebClient, content: bytes, filename: str, title: str) -> tuple[str, str]:
    """Slack's three-step upload, shared nowhere: the file's id and permalink."""
    answer = client.files_upload_v2(content=content, filename=filename, title=title)
    return str(answer["file"]["id"]), str(answer["file"].get("permalink") or "")
