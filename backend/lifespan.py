"""ASGI lifespan for Lupi's server processes (Django's handler does not speak it).

On start-up, the worker loads the active model before it accepts a connection
(:func:`backend.recommendations.universe.warm_up`): uvicorn starts serving its sockets once
the start-up is complete, so no request waits for the load.

On shutdown (uvicorn and gunicorn's uvicorn worker send it after SIGTERM, once the open
requests are answered), the impressions the background writer still holds are written
before the process exits. ``atexit`` cannot do it there: uvicorn ends by re-raising the
signal, which skips exit handlers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["Lifespan"]

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]


class Lifespan:
    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                from backend.recommendations.universe import warm_up

                await asyncio.to_thread(warm_up)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                from backend.recommendations.impressions import writer

                await asyncio.to_thread(writer.flush_at_exit)
                await send({"type": "lifespan.shutdown.complete"})
                return
