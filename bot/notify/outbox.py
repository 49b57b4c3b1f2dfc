"""Queuing a message in the outbox, in the transaction of the change it reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from bot.env import Env
from bot.notify.kinds import dedupe_key
from store import outbox as outbox_store
from store.sql import Bind


def json_payload(message: dict[str, Any]) -> str:
    """The outbox payload: compact UTF-8 JSON (orjson: json.dumps took a tenth of the warning pass)."""
    return orjson.dumps(message).decode()


@dataclass(frozen=True)
class Outgoing:
    """A message to queue once per (kind, recipient, subject, period), already as its JSON payload: a
    job's thousand messages kept as Block Kit dicts until their one INSERT gave Python's garbage
    collector some hundred thousand more objects to walk (a full collection of about 70 ms in the
    warning pass on PostgreSQL, at 1,000,000 customers)."""

    workspace_id: str
    kind: str
    recipient: str
    subject: str
    period: str
    payload: str  # json_payload(message)

    @property
    def key(self) -> str:
        return dedupe_key(self.kind, self.recipient, self.subject, self.period)


# An image block of a queued message shows an image kept with it until the sender uploads it:
# {"type": "image", "slack_file": {"id": "pending:<key>"}, ...}, <key> an `Image`'s key.
PENDING = "pending:"


@dataclass(frozen=True)
class Image:
    """A PNG a queued message shows (a chart), named in its image blocks by `pending_file(key)`."""

    key: str
    png: bytes
    filename: str
    title: str = ""


def pending_file(key: str) -> dict[str, str]:
    """The `slack_file` of an image block whose image is queued with the message."""
    return {"id": PENDING + key}


# A file a queued message shares is named in its text by `shared_link(key)` until the sender uploads it
# and puts its permalink there instead.
PENDING_LINK = "pending-link:"


@dataclass(frozen=True)
class SharedFile:
    """A file a queued message shares in its conversation (a report's CSV), linked from its text."""

    key: str
    content: bytes
    filename: str
    title: str = ""


def shared_link(key: str) -> str:
    """Where the message's text links the file `key` queued with it (its permalink, once uploaded)."""
    return PENDING_LINK + key


def enqueue(
    env: Env,
    *,
    workspace_id: str,
    kind: str,
    recipient: str,
    subject: str,
    period: str,
    message: dict[str, Any],
    session: Bind | None = None,
    images: Sequence[Image] = (),
    files: Sequence[SharedFile] = (),
) -> str:
    """Queue a message once per (kind, recipient, subject, period); queuing it again does nothing.
    With `session`, in that transaction (the change the message reports); else in its own. `images`:
    the PNGs its image blocks show, and `files` those it shares, kept with it and uploaded just before
    the post. Returns the dedupe key (to send it at once with `deliver_now`)."""
    if (images or files) and session is None:
        with env.db.session() as own:
            return enqueue(env, workspace_id=workspace_id, kind=kind, recipient=recipient, subject=subject,
                           period=period, message=message, session=own, images=images, files=files)  # fmt: skip
    payload = json_payload(message)
    if session is not None and (images or files):
        payload = _keep(env, session, workspace_id, payload, images, files)
    outgoing = Outgoing(workspace_id, kind, recipient, subject, period, payload)
    return enqueue_many(env, [outgoing], session=session)[0]


def _keep(
    env: Env,
    session: Bind,
    workspace_id: str,
    payload: str,
    images: Sequence[Image],
    files: Sequence[SharedFile],
) -> str:
    """Keep the images and files with the message; its payload naming them by their rows' ids."""
    now = env.clock.now()
    kept = [(image.png, image.filename, image.title) for image in images]
    for image, row_id in zip(
        images,
        outbox_store.add_images(session=session, workspace_id=workspace_id, images=kept, now=now),
        strict=True,
    ):
        payload = payload.replace(f'"{PENDING}{image.key}"', f'"{PENDING}{row_id}"')
    shared = [(one.content, one.filename, one.title) for one in files]
    for one, row_id in zip(
        files,
        outbox_store.add_files(session=session, workspace_id=workspace_id, files=shared, now=now),
        strict=True,
    ):
        payload = payload.replace(shared_link(one.key), f"{PENDING_LINK}{row_id}")
    return payload


def enqueue_many(env: Env, messages: Sequence[Outgoing], *, session: Bind | None = None) -> list[str]:
    """Queue many in one transaction (a job's morning messages: one commit, not one per person): the
    caller's `session` when given, else one of their own."""
    queued = [
        outbox_store.Queued(
            workspace_id=outgoing.workspace_id,
            dedupe_key=outgoing.key,
            kind=outgoing.kind,
            channel=outgoing.recipient,
            payload=outgoing.payload,
        )
        for outgoing in messages
    ]
    if session is not None:
        outbox_store.enqueue_many(session=session, messages=queued, now=env.clock.now())
    else:
        with env.db.session() as own:
            outbox_store.enqueue_many(session=own, messages=queued, now=env.clock.now())
    return [outgoing.key for outgoing in messages]
