"""A kernel client whose readiness check ends as soon as the kernel has answered, for the warm kernels
(pipeline.execution.WarmKernel) that execute chapter after chapter.

jupyter_client's `wait_for_ready` sends kernel_info, waits for the reply and one IOPub message, then drains
IOPub until 0.2 s pass with nothing: 0.2 s of idling every time a client connects. papermill connects a new
client for every notebook, and the warm kernel one more to clear the namespace, so the demo's eight chapters
sat idle 3 s. This client stops draining when the kernel's 'idle' status for its own kernel_info request
arrives, the last message the kernel sends about it, which also proves IOPub is connected; if it does not
arrive within the same 0.2 s, it asks again, as jupyter_client does when IOPub is not yet connected.
"""
from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_core.utils import ensure_async

IOPUB_WAIT = 0.2  # jupyter_client's own wait for IOPub


class PromptKernelClient(AsyncKernelClient):
    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            try:
                reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                reply = None
            if (reply is not None and reply["msg_type"] == "kernel_info_reply"
                    and reply["parent_header"].get("msg_id") == request and await self._iopub_finished(request)):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _iopub_finished(self, request: str) -> bool:
        while True:
            try:
                message = await ensure_async(self.iopub_channel.get_msg(timeout=IOPUB_WAIT))
            except Empty:
                return False
            if (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                    and message["parent_header"].get("msg_id") == request):
                return True
