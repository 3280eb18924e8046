"""WhiteNoise for static files, without making every API request change threads.

WhiteNoise's middleware is synchronous only; in Django's asynchronous stack one sync
middleware makes every request hop to a worker thread and back. This subclass serves
static files the same way but lets everything else pass straight through on the event
loop.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    async_capable = True
    sync_capable = True

    def __init__(self, get_response=None, settings=None) -> None:  # noqa: ANN001
        if settings is None:
            super().__init__(get_response)
        else:
            super().__init__(get_response, settings)
        self._async = iscoroutinefunction(self.get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request):  # noqa: ANN001, ANN204
        if self._async:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request):  # noqa: ANN001, ANN202
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return await sync_to_async(self.serve)(static_file, request)
        return await self.get_response(request)
