"""A minimal client of a Voila page: fetch the rendered page, then talk to its kernel's websocket.

It does what the Voila front end does to become interactive (kernel info, then the widget state
through ipywidgets' control comm), without a browser. Used by the load test and by the hostile
client test.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import websocket

KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')
CONTROL_TARGET = "jupyter.widget.control"
CONTROL_VERSION = "1.0.0"


class PageError(RuntimeError):
    """A Voila page did not render or its kernel did not answer."""


def render(base_url: str, notebook: str, timeout: float = 120.0) -> tuple[str, str]:
    """GET ``/voila/render/<notebook>``; return (kernel id, page HTML)."""
    with urllib.request.urlopen(f"{base_url}/voila/render/{notebook}", timeout=timeout) as resp:
        page = resp.read().decode("utf-8")
    found = KERNEL_ID.search(page)
    if found is None:
        raise PageError(f"{notebook}: the rendered page names no kernel")
    return found.group(1), page


class KernelSocket:
    """A websocket connection to one kernel, speaking the Jupyter messaging protocol as JSON."""

    def __init__(self, port: int, kernel_id: str, timeout: float = 30.0) -> None:
        self.session = uuid.uuid4().hex
        self.timeout = timeout
        url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(url, timeout=timeout)
        self.received: list[dict[str, Any]] = []

    def send(
        self, msg_type: str, content: dict[str, Any], channel: str = "shell", metadata: dict | None = None
    ) -> str:
        """Send one message; return its id."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id, "msg_type": msg_type, "username": "client", "session": self.session,
            "date": "", "version": "5.3",
        }
        msg = {
            "header": header, "parent_header": {}, "metadata": metadata or {}, "content": content,
            "channel": channel, "buffers": [],
        }
        self.ws.send(json.dumps(msg))
        return msg_id

    def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout: float | None = None
    ) -> dict[str, Any]:
        """The first message, already received or still to come, that matches; bounded in time.

        Messages seen while waiting for another are kept and searched first: the kernel's shell
        and iopub channels are not ordered with respect to each other, so (under load) the 'idle'
        status of a request can arrive before its reply.
        """
        for msg in self.received:
            if match(msg):
                return msg
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching kernel message in time")
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                raise TimeoutError("no matching kernel message in time") from None
            self.received.append(msg)
            if match(msg):
                return msg

    def reply_to(self, msg_id: str, timeout: float | None = None) -> dict[str, Any]:
        """The shell reply to the request ``msg_id``."""
        return self.wait_for(
            lambda m: m.get("channel") == "shell" and m["parent_header"].get("msg_id") == msg_id, timeout
        )

    def idle_after(self, msg_id: str, timeout: float | None = None) -> dict[str, Any]:
        """The kernel's 'idle' status after it handled ``msg_id``."""
        return self.wait_for(
            lambda m: m["msg_type"] == "status"
            and m["parent_header"].get("msg_id") == msg_id
            and m["content"].get("execution_state") == "idle",
            timeout,
        )

    def kernel_info(self) -> dict[str, Any]:
        """Ask for kernel info and wait until the kernel is idle again."""
        msg_id = self.send("kernel_info_request", {})
        reply = self.reply_to(msg_id)
        self.idle_after(msg_id)
        return reply["content"]

    def widget_states(self) -> dict[str, Any]:
        """All widget models of the kernel, fetched as the ipywidgets front end does."""
        comm_id = uuid.uuid4().hex
        meta = {"version": CONTROL_VERSION}
        opened = self.send(
            "comm_open", {"comm_id": comm_id, "target_name": CONTROL_TARGET, "data": {}}, metadata=meta
        )
        self.idle_after(opened)
        self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}, metadata=meta)
        reply = self.wait_for(
            lambda m: m["msg_type"] == "comm_msg"
            and m["content"].get("comm_id") == comm_id
            and m["content"]["data"].get("method") == "update_states"
        )
        return reply["content"]["data"]["states"]

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> KernelSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
