"""A kernel client whose readiness check ends as soon as the kernel has answered, for the warm kernels
(pipeline.execution.WarmKernel) that execute chapter after chapter.

jupyter_client's `wait_for_ready` sends kernel_info, waits for the reply and one IOPub message, then drains
IOPub until 0.2 s pass with nothing: 0.2 s of idling every time a client connects. papermill connects a new
client for every notebook, and the warm kernel one more to clear the namespace, so the demo's eight chapters
sat idle 3 s. This client stops draining when the kernel's 'idle' status for one of its kernel_info requests
arrives, the last message the kernel sends about it, which also proves IOPub is connected; if it does not
arrive within the same 0.2 s, it asks again, as jupyter_client does when IOPub is not yet connected.

Every request this client has sent counts. A kernel that is slow to start (a busy machine, a kernel spec that
starts through a wrapper) answers the queued requests in order, so the reply that arrives is usually to an
earlier request than the last one sent: accepting only the last one kept the client one reply behind for ever
(issue 25: every first run on a machine at load 9 died after 120 s). Replies and statuses are matched to the
whole set of requests by their parent header, as jupyter_client's own client matches replies to requests.
"""
from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_core.utils import ensure_async

IOPUB_WAIT = 0.2  # jupyter_client's own wait for IOPub
SHELL_WAIT = 1.0  # jupyter_client's own wait for a shell reply before it asks again


class PromptKernelClient(AsyncKernelClient):
    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        requests: set[str] = set()
        reply = None
        while True:
            requests.add(self.kernel_info())
            if reply is None:
                reply = await self._kernel_info_reply(requests)
            if reply is not None and await self._iopub_finished(requests):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _kernel_info_reply(self, requests: set[str]) -> dict | None:
        """The first kernel_info reply to any of `requests` that arrives within SHELL_WAIT, else None."""
        until = time.monotonic() + SHELL_WAIT
        while (left := until - time.monotonic()) > 0:
            try:
                message = await ensure_async(self.shell_channel.get_msg(timeout=left))
            except Empty:
                return None
            if message["msg_type"] == "kernel_info_reply" and message["parent_header"].get("msg_id") in requests:
                return message
        return None

    async def _iopub_finished(self, requests: set[str]) -> bool:
        """True once IOPub carries the 'idle' status of any of `requests`; False after IOPUB_WAIT of silence."""
        while True:
            try:
                message = await ensure_async(self.iopub_channel.get_msg(timeout=IOPUB_WAIT))
            except Empty:
                return False
            if (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                    and message["parent_header"].get("msg_id") in requests):
                return True
