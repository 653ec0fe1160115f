"""The patient server's kernel pool: a page gets an already started kernel, spares are not sessions,
and the idle cull leaves them alone. Real kernels, started by the real kernel manager."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from widgets.warm_kernels import WarmKernelManager

KEY = ("python3", "")


async def wait_for_spare(manager: WarmKernelManager, timeout: float = 60.0) -> str:
    """The id of a started spare kernel, once there is one."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        ready = manager.ready(KEY)
        if ready:
            return ready[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no spare kernel started within {timeout} s")


async def run_in(manager: WarmKernelManager, kernel_id: str, code: str) -> str:
    """What ``code`` prints in the kernel."""
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        printed: list[str] = []

        def keep(msg: dict) -> None:
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])

        await client.execute_interactive(code, output_hook=keep, timeout=60)
        return "".join(printed)
    finally:
        client.stop_channels()


async def exercise_pool(root: Path) -> None:
    manager = WarmKernelManager(root_dir=str(root), cull_idle_timeout=0)
    try:
        manager.fill(KEY)
        assert manager.in_use() == 0, "a kernel being started for the pool counts as a session"
        spare = await wait_for_spare(manager)
        assert manager.in_use() == 0, "a spare kernel counts as a session"

        # The spare is idle past the (zero) timeout: the cull must keep it.
        await manager.cull_kernel_if_idle(spare)
        assert spare in manager, "the idle cull shut a spare kernel down"

        given = await manager.start_kernel(kernel_name="python3", path="")
        assert given == spare, "the page did not get the spare kernel"
        imported = await run_in(manager, given, "import sys; print(sorted(sys.modules))")
        assert "'widgets'" in imported and "'widgets.render'" in imported, "no course import in the spare"
        assert manager.in_use() == 1 and given not in manager.spare_ids()
        refill = await wait_for_spare(manager)
        assert refill != given and manager.in_use() == 1, "no new spare after one was handed out"

        # A kernel for another folder is started for the page, as Voila would have done.
        other = await manager.start_kernel(kernel_name="python3", path="elsewhere")
        assert other not in (spare, refill) and manager.in_use() == 2

        # The periodic cull stops every idle page kernel in one pass, and keeps the spares.
        more = [await manager.start_kernel(kernel_name="python3", path="") for _ in range(2)]
        await wait_for_spare(manager)
        spares = set(manager.ready(KEY))
        await manager.cull_kernels()
        left = set(manager.list_kernel_ids())
        assert not left & {given, other, *more}, "the cull no longer stops idle page kernels"
        assert spares <= left, "the cull stopped a spare kernel"
    finally:
        await manager.shutdown_all()


@pytest.mark.slow
def test_pool_hands_out_started_kernels_and_keeps_spares(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    # A thread of its own: earlier tests (Playwright's sync API) may leave an event loop running here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, exercise_pool(tmp_path)).result()
