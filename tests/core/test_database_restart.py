"""PostgreSQL restarted under a running server: health says so, delivery resumes, gaps fill."""

from __future__ import annotations

import asyncio
import contextlib
import shutil

import asyncpg
import httpx
import pytest

from pos_service.app import create_app
from pos_service.config import Settings
from pos_service.core import embedded
from pos_service.core.db import asyncpg_dsn
from pos_service.migrations import upgrade_async
from tests.core.test_live import collecting
from tests.support import devices
from tests.support.database import DATA_DIR
from tests.support.servers import serve

pytestmark = pytest.mark.timeout(180)


async def test_server_rides_out_a_database_restart(settings: Settings, worker_id: str) -> None:
    data_dir = DATA_DIR.parent / f"restart-postgres-{worker_id}"
    shutil.rmtree(data_dir, ignore_errors=True)
    server = embedded.start(data_dir)
    url = embedded.database_url(server, "pos")
    await upgrade_async(url)
    app = create_app(
        Settings(
            database_url=url,
            var_dir=settings.var_dir,
            secret_key="test-secret",
            argon2_time_cost=1,
            argon2_memory_kib=8,
            run_background=False,
        )
    )
    try:
        async with serve(app) as base:
            from pos_service import demo as demo_data

            async with app.state.sessions() as session, session.begin():
                await demo_data.seed(session, app.state.security)
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                device = await devices.enrol(app.state.sessions)
                bearer = await devices.bearer(http, "demo", "1111", device)
                http.headers.update(bearer)
                token = bearer["Authorization"].removeprefix("Bearer ")
                check = (await http.post("/api/checks", json={"table_id": 12, "covers": 2})).json()
                menu = (await http.get("/api/menu")).json()
                espresso = next(
                    i["id"]
                    for c in menu["categories"]
                    for i in c["items"]
                    if i["name"] == "Espresso"
                )

                async with collecting(base, token, ["orders"]) as live:
                    assert (
                        await http.post(
                            f"/api/checks/{check['id']}/lines", json={"item_id": espresso}
                        )
                    ).status_code == 201
                    first = await live.take(1)

                    await asyncio.to_thread(embedded.stop, data_dir)
                    down = await http.get("/health")
                    assert down.status_code == 503
                    assert down.json()["database"] == "down"

                    socket_dir = url.split("host=", 1)[1]
                    await asyncio.to_thread(embedded.restart_stopped, data_dir, socket_dir)
                    for _ in range(100):
                        if (await http.get("/health")).status_code == 200:
                            break
                        await asyncio.sleep(0.1)
                    assert (await http.get("/health")).json() == {"status": "ok", "database": "ok"}

                    # commits made while the listener may still be reconnecting are not lost
                    for _ in range(5):
                        r = await http.post(
                            f"/api/checks/{check['id']}/lines", json={"item_id": espresso}
                        )
                        assert r.status_code == 201
                    after = await live.take(5, timeout=30)
                    seqs = [e.seq for e in after]
                    assert seqs == sorted(seqs)
                    assert seqs[0] > first[0].seq
                    assert [e.data["version"] for e in after] == [3, 4, 5, 6, 7]

                # a restart nobody asked the server about: the pooled connections died
                # with the old server, and none of them is handed to a request
                for _ in range(12):
                    assert (await http.get("/api/menu")).status_code == 200
                await asyncio.to_thread(embedded.stop, data_dir)
                await asyncio.to_thread(embedded.restart_stopped, data_dir, socket_dir)
                for _ in range(100):
                    with contextlib.suppress(OSError, asyncpg.PostgresError):
                        await (await asyncpg.connect(asyncpg_dsn(url))).close()
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.2)
                for _ in range(12):
                    assert (await http.get("/api/menu")).status_code == 200
    finally:
        await asyncio.to_thread(embedded.stop, data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)
