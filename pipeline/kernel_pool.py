"""Warm kernels kept for the next chapters in this process, and kernels started before they are needed.

A WarmKernel's coroutines run on the event loop jupyter_core keeps for its thread's name, so a kernel goes from
thread to thread with that name: a slot is (name, kernel). A batch worker keeps its kernel from one partnership
to the next (`keep`); a run that will execute every chapter starts its kernels while it works out the chapters'
keys (`prestart`), and the workers `take` them, waiting for one still starting.
"""
from __future__ import annotations

import atexit
import itertools
import multiprocessing.util
import os
import sys
import threading
from concurrent.futures import Future

from pipeline.execution import WarmKernel, ensure_kernel

_KEPT: list[tuple[str, WarmKernel | Future]] = []
_LOCK = threading.Lock()
_NAMES = itertools.count()


def _new_name() -> str:
    return f"chapters-{os.getpid()}-{next(_NAMES)}"


def _ready(kernel: WarmKernel | Future) -> WarmKernel | None:
    """The kernel once started; None, said on standard error with its reason, when it did not start (the worker
    then starts its own, retried once, and a failure of that stops the run naming the chapter)."""
    if not isinstance(kernel, Future):
        return kernel
    try:
        return kernel.result()
    except Exception as error:  # noqa: BLE001 - reported here, never absorbed in silence
        print(f"warning: a kernel started early did not start ({type(error).__name__}: {error}); "
              "starting another for its chapters", file=sys.stderr, flush=True)
        return None


def take() -> tuple[str, WarmKernel | None]:
    """A kept or prestarted kernel (once it is ready) and the thread name whose event loop it uses; or a new name
    and None when there is none, or it failed to start."""
    with _LOCK:
        name, kernel = _KEPT.pop() if _KEPT else (_new_name(), None)
    return name, None if kernel is None else _ready(kernel)


def kept() -> int:
    """Kernels kept or starting, not yet taken."""
    with _LOCK:
        return len(_KEPT)


def keep(name: str, kernel: WarmKernel) -> None:
    with _LOCK:
        _KEPT.append((name, kernel))


def prestart(count: int, imports: list[str], environment: dict[str, str]) -> None:
    """Start `count` warm kernels in background threads (the kernel spec checked first, once), for `take`."""
    if count < 1:
        return
    slots = [(_new_name(), Future()) for _ in range(count)]
    with _LOCK:
        _KEPT.extend(slots)

    def start(future: Future) -> None:
        try:
            future.set_result(WarmKernel(imports, environment))
        except BaseException as error:  # noqa: BLE001 - handed to whoever takes the slot
            future.set_exception(error)

    def check_spec_then_start() -> None:
        try:
            ensure_kernel()
        except BaseException as error:  # noqa: BLE001
            for _, future in slots:
                future.set_exception(error)
            return
        for name, future in slots[1:]:
            threading.Thread(target=start, args=(future,), name=name, daemon=True).start()
        start(slots[0][1])

    threading.Thread(target=check_spec_then_start, name=slots[0][0], daemon=True).start()


def shutdown_kept_kernels() -> None:
    while True:
        with _LOCK:
            if not _KEPT:
                return
            name, kernel = _KEPT.pop()
        kernel = _ready(kernel)
        if kernel is not None:
            threading.current_thread().name = name  # its coroutines run on the loop of its thread's name
            kernel.shutdown()


atexit.register(shutdown_kept_kernels)
multiprocessing.util.Finalize(None, shutdown_kept_kernels, exitpriority=10)  # pool workers exit without atexit
