"""The writes that are not create, update or delete: timers and document uploads.

The endpoint table says which paths exist and what their bodies need (``Action``); what
they do is the emulator's, by path, from the reference's prose and examples:

- ``POST /startTimer`` starts an active timer for ``user`` (one per user: a second
  start is a 400) and answers the timer.
- ``POST /stopTimer`` stops the timer named by ``_id`` or by ``user``, removes it from
  the active ``timers`` and answers the time log it became (stored in ``timeLogs``).
- ``POST /documents`` takes ``file: {fileContent (base64), options: {fileName,
  contentType}}`` and answers ``{"success": true}``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ._store import Account, Doc, now_stamp

__all__ = ["ACTIONS", "ActionError"]


class ActionError(Exception):
    """A refused action: ``status`` and the errorMessage."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _user_name(account: Account, user: Any) -> str:
    found = account.collections.get("users")
    doc = found.docs.get(user) if found else None
    return f"{doc.get('firstName', '')} {doc.get('lastName', '')}".strip() if doc else ""


def _start_timer(account: Account, body: Doc, new_id: str) -> Doc:
    timers = account.collections["timers"]
    if any(t.get("user") == body["user"] for t in timers.docs.values()):
        raise ActionError(400, f"User {body['user']} already has an active timer")
    now = now_stamp()
    timer = {
        "_id": new_id,
        **body,
        "userName": _user_name(account, body["user"]),
        "startTime": now,
        "createDate": now,
        "modifiedDate": now,
        "__v": 0,
    }
    timers.docs[new_id] = timer
    timers.touch()
    return timer


def _stop_timer(account: Account, body: Doc, new_id: str) -> Doc:
    timers = account.collections["timers"]
    if body.get("_id") in (None, "") and body.get("user") in (None, ""):
        raise ActionError(400, "Missing required field(s): _id or user")
    timer = next(
        (
            t
            for t in timers.docs.values()
            if t["_id"] == body.get("_id") or ("_id" not in body and t.get("user") == body["user"])
        ),
        None,
    )
    if timer is None:
        raise ActionError(404, "No active timer found")
    del timers.docs[timer["_id"]]
    timers.touch()
    now = now_stamp()
    started = datetime.fromisoformat(timer["startTime"].replace("Z", "+00:00"))
    ended = datetime.fromisoformat(now.replace("Z", "+00:00"))
    carried = {k: v for k, v in timer.items() if k not in ("_id", "startTime", "__v")}
    log = {
        **carried,
        "_id": new_id,
        "createdByUser": timer.get("user"),
        "timestamp": timer["startTime"],
        "endTimestamp": now,
        "time": round((ended - started).total_seconds() / 60),
        "createDate": now,
        "modifiedDate": now,
        "__v": 0,
    }
    logs = account.collections.get("time_logs")
    if logs is not None:
        logs.docs[new_id] = log
        logs.touch()
    return log


def _upload(account: Account, body: Doc, new_id: str) -> Doc:
    file = body.get("file")
    options = file.get("options") if isinstance(file, dict) else None
    content = file.get("fileContent") if isinstance(file, dict) else None
    if not isinstance(content, str) or not isinstance(options, dict):
        raise ActionError(400, "file must be {fileContent, options: {fileName, contentType}}")
    try:
        size = len(base64.b64decode(content, validate=True))
    except binascii.Error:
        raise ActionError(400, "file.fileContent is not base64") from None
    documents = account.collections.get("documents")
    if documents is not None:
        now = now_stamp()
        stored = {k: v for k, v in body.items() if k != "file"}
        documents.docs[new_id] = {
            "_id": new_id,
            **stored,
            "fileName": options.get("fileName", ""),
            "contentType": options.get("contentType", ""),
            "size": size,
            "createDate": now,
            "modifiedDate": now,
        }
        documents.touch()
    return {"success": True}


#: Action path -> what it does to an account, given the checked body and a fresh id.
ACTIONS: dict[str, Callable[[Account, Doc, str], Doc]] = {
    "/startTimer": _start_timer,
    "/stopTimer": _stop_timer,
    "/documents": _upload,
}
