"""A kernel manager that keeps started kernels ready, so a patient's page need not wait for one.

Voila starts a page's kernel before it sends a single byte of the page, so every visitor waits for
a Python process to start (about a second and a half here) before reading a word. Voila's own
"preheated" kernels also run the notebook in advance, and with Voila 0.5.13 pages served from them
lost widgets. These kernels are only started: the page runs its notebook in one as usual.

A spare kernel is started with the server's environment; Voila's per-request variables
(``SCRIPT_NAME``, ``QUERY_STRING`` and the like) are not in it. No lesson reads them.

A spare also imports the course's modules as it starts (``warm_imports``; about a quarter of a
second that a page would otherwise spend on its first code cell). It imports code only: no data
is read and nothing of a visitor's is there. A spare started before the course's code was updated
holds the old code, as any running kernel does; restart the server after an update.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ApiPath
from traitlets import Integer, List, Unicode

PoolKey = tuple[str, str]  # (kernel name, API path of the working directory)


class WarmKernelManager(AsyncMappingKernelManager):
    """Hands out an already started kernel when it has one, then starts the next in the background."""

    spare_kernels = Integer(
        1, config=True,
        help="started kernels kept ready for the next visitor, per kernel name and folder",
    )

    warm_imports = List(
        Unicode(), ["widgets", "widgets.render"], config=True,
        help="modules a spare kernel imports as it starts, so that a page's first cell need not",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self._spares: dict[PoolKey, list[str]] = {}
        self._filling: set[PoolKey] = set()
        self._starting: set[str] = set()  # spares being started (already listed as kernels)
        self._tasks: set[asyncio.Task[None]] = set()

    def spare_ids(self) -> set[str]:
        """The kernels kept ready or being started for the pool, which no page uses yet."""
        return {kernel for pool in self._spares.values() for kernel in pool} | self._starting

    def ready(self, key: PoolKey) -> list[str]:
        """The started spare kernels for ``key``, next to be handed out first."""
        return list(self._spares.get(key, []))

    def in_use(self) -> int:
        """Running kernels that belong to a page (the spares not counted)."""
        return len(set(self.list_kernel_ids()) - self.spare_ids())

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: ApiPath | None = None, **kwargs: Any
    ) -> str:
        """A spare kernel for this kernel name and folder if one is ready, else a new one."""
        key: PoolKey = (str(kwargs.get("kernel_name") or self.default_kernel_name), str(path or ""))
        pool = self._spares.get(key, [])
        chosen = None
        while kernel_id is None and pool and chosen is None:
            spare = pool.pop(0)
            if spare in self:  # it may have died since it was started
                chosen = spare
        if chosen is None:
            chosen = str(await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs))
        else:
            # Its idle time so far was the pool's, not the page's.
            self.get_kernel(chosen).last_activity = datetime.now(UTC)  # type: ignore[attr-defined]
            self.log.info("Kernel %s handed out from the spares", chosen)
        self.fill(key)
        return chosen

    def fill(self, key: PoolKey) -> None:
        """Start spare kernels for ``key`` in the background, up to ``spare_kernels``."""
        if self.spare_kernels > 0 and key not in self._filling:
            self._filling.add(key)
            task = asyncio.ensure_future(self._fill(key))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _fill(self, key: PoolKey) -> None:
        try:
            pool = self._spares.setdefault(key, [])
            while len(pool) < self.spare_kernels:
                kernel_name, path = key
                spare = str(uuid.uuid4())
                self._starting.add(spare)
                try:
                    await super().start_kernel(kernel_id=spare, kernel_name=kernel_name, path=ApiPath(path),
                                               extra_arguments=self._import_arguments())
                    pool.append(spare)
                finally:
                    self._starting.discard(spare)
        except Exception:  # a visitor still gets a kernel started for them; say why no spare is ready
            self.log.exception("Could not start a spare kernel for %s", key)
        finally:
            self._filling.discard(key)

    def _import_arguments(self) -> list[str]:
        """The kernel's command-line option that runs the ``warm_imports`` at its start."""
        if not self.warm_imports:
            return []
        return [f"--IPKernelApp.exec_lines=import {', '.join(self.warm_imports)}"]

    async def cull_kernels(self) -> None:
        """Cull the idle kernels together, not one after another.

        Each shutdown waits for its process; one after another, the hundred kernels of a busy hour
        were freed over about 20 s after the cull began.
        """
        kernel_ids = list(self._kernels)
        results = await asyncio.gather(*(self.cull_kernel_if_idle(k) for k in kernel_ids),
                                       return_exceptions=True)
        for kernel_id, result in zip(kernel_ids, results, strict=True):
            if isinstance(result, BaseException):
                self.log.error("Could not check or cull kernel %s: %s", kernel_id, result)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Spares wait idle on purpose: never cull them."""
        if kernel_id not in self.spare_ids():
            await super().cull_kernel_if_idle(kernel_id)  # type: ignore[no-untyped-call]
