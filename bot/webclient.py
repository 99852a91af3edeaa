"""slack_sdk's WebClient over kept-alive connections: the client the listeners and the outbox worker call Slack with.

slack_sdk's synchronous client sends each call with urllib, which opens a connection for it and closes it after, so
every views.update after a click paid a TCP handshake, and against slack.com a TLS one too (two round trips more
than the call itself). Here the calls go through a urllib3 pool (thread-safe; requests' own transport), which keeps
connections open between calls. Everything else stays slack_sdk's: arguments, retry handlers, rate limits, errors.
So that they see what they saw before, an answer comes back in the shapes urllib gives: an HTTPError for a status of
400 or more, a URLError when the connection could not be made, the socket's own error when it broke.
"""

from __future__ import annotations

import http.client
import io
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
from slack_sdk import WebClient
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

POOL_SIZE = 32  # connections kept open to Slack: more than the threads calling it at once (listeners, slow lane, jobs)


class PooledWebClient(WebClient):
    def __init__(self, *args: Any, pool: urllib3.PoolManager | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        timeout = urllib3.Timeout(connect=self.timeout, read=self.timeout)
        # retries=False: slack_sdk's retry handlers decide, as they did over urllib; redirects are not followed.
        self._pool = pool or urllib3.PoolManager(
            maxsize=POOL_SIZE, block=False, ssl_context=self.ssl, retries=False, timeout=timeout
        )

    def sibling(self, *, team_id: str | None) -> PooledWebClient:
        """A client of its own for one request (as Bolt makes one per request, so a listener may change its token),
        over the same connections."""
        return PooledWebClient(
            token=self.token,
            base_url=self.base_url,
            timeout=self.timeout,
            ssl=self.ssl,
            proxy=self.proxy,
            headers=self.headers,
            team_id=team_id,
            logger=self._logger,
            retry_handlers=list(self.retry_handlers),
            pool=self._pool,
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._perform_urllib_http_request_internal(url, req)  # a proxy, or refused there
        data = req.data if isinstance(req.data, bytes) else None  # slack_sdk always hands over bytes (or nothing)
        try:
            resp = self._pool.request(
                "POST", url, body=data, headers=dict(req.header_items()), redirect=False, preload_content=True
            )
        except (NewConnectionError, ConnectTimeoutError, SSLError) as e:
            raise URLError(_reason(e)) from e  # as urlopen says it could not connect
        except ReadTimeoutError as e:
            raise TimeoutError(str(e)) from e  # as urlopen's socket says no answer came in time
        except ProtocolError as e:
            cause = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], OSError) else None
            raise cause or ConnectionResetError(str(e)) from e
        headers = http.client.HTTPMessage()
        for name, value in resp.headers.items():
            headers[name] = value
        if resp.status >= 400:
            raise HTTPError(url, resp.status, resp.reason or "", headers, io.BytesIO(resp.data))
        if headers.get_content_type() == "application/gzip":
            return {"status": resp.status, "headers": headers, "body": resp.data}
        body = resp.data.decode(headers.get_content_charset() or "utf-8")
        return {"status": resp.status, "headers": headers, "body": body}


def _reason(e: Exception) -> OSError | str:
    """What urlopen would give as the URLError's reason: the socket's error (a TimeoutError when it timed out)."""
    cause = e.__context__ or e.__cause__
    if isinstance(cause, OSError):
        return cause
    # urllib3's NewConnectionError is also a ConnectTimeoutError, so the socket's own error is looked at first.
    return TimeoutError(str(e)) if isinstance(e, ConnectTimeoutError) else str(e)
