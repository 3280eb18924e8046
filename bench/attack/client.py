"""A browser of one Lupi server, for the attacks: cookies kept by hand, CSRF header sent.

Cookies are kept by hand because production cookies are HTTPS-only and the servers sit
behind no proxy here (each request says it came over HTTPS, as a proxy would), and
because the attacks plant, copy and replay cookies on purpose. Each browser connects from
a loopback address of its own choosing, so the per-address throttles of one case never
count another case's sign-ins.
"""

from __future__ import annotations

import json
from types import TracebackType

import httpx

__all__ = ["LOGIN", "LOGOUT", "Browser", "operation"]

LOGIN = "mutation L($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"
LOGOUT = "mutation { logout }"


def operation(query: str, variables: dict | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


class Browser:
    def __init__(
        self, base: str, *, secure: bool, address: str = "127.0.0.1", timeout: float = 30
    ) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=address)
        self.client = httpx.AsyncClient(base_url=base, transport=transport, timeout=timeout)
        self.cookies: dict[str, str] = {}
        netloc = self.client.base_url.netloc.decode()
        self.headers = (
            {"X-Forwarded-Proto": "https", "Origin": f"https://{netloc}"} if secure else {}
        )

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.client.aclose()

    def moved_to(self, base: str, *, secure: bool, address: str = "127.0.0.1") -> Browser:
        """The same cookies (the same session) sent to another server."""
        other = Browser(base, secure=secure, address=address)
        other.cookies = dict(self.cookies)
        return other

    async def request(
        self,
        method: str = "POST",
        body: bytes = b"",
        content_type: str = "application/json",
        timeout: float | None = None,
    ) -> httpx.Response:
        headers = {**self.headers, "Content-Type": content_type}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        self.client.cookies.clear()
        response = await self.client.request(
            method,
            "/graphql/",
            content=body or None,
            headers=headers,
            timeout=timeout or self.client.timeout,
        )
        for cookie in response.headers.get_list("set-cookie"):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):  # a deleted cookie
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response

    async def csrf(self) -> None:
        """Fetch a CSRF cookie, as a page load would."""
        if "csrftoken" not in self.cookies:
            await self.request("GET", content_type="text/plain")

    async def post(self, query: str, variables: dict | None = None) -> httpx.Response:
        await self.csrf()
        return await self.request("POST", operation(query, variables))

    async def login(self, username: str, password: str) -> httpx.Response:
        return await self.post(LOGIN, {"u": username, "p": password})

    async def sign_in(self, username: str, password: str) -> None:
        """Sign in; an error when the server refuses (the case cannot be tried)."""
        response = await self.login(username, password)
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(f"sign-in as {username} failed: {json.dumps(body['errors'])}")

    @property
    def session_key(self) -> str | None:
        return self.cookies.get("sessionid")
