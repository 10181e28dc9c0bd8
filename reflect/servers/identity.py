"""Who may open the app's page, a closed page that frees its kernel, and a ready kernel's wait:
the Voila server's side.

:class:`PageIdentityProvider` is Jupyter Server's token sign-in, as ``reflect app`` always used
it, plus two things:

- once a visitor is signed in, the page also gets tornado's ``_xsrf`` cookie. When the page is
  closed, Voila's page asks the server (``POST /voila/api/shutdown/<kernel>``, sent as a beacon on
  ``beforeunload``) to shut its kernel down, with that cookie as its proof of coming from the page
  itself; Voila's own pages never get the cookie, so without it the request is refused and every
  closed page leaves a kernel of about 60 MB running until it is culled. The cookie is the standard
  double-submit protection (what JupyterLab's pages get), so a page elsewhere still cannot ask.
- ``voila/query/<kernel id>``, where a kernel made ahead of time waits for its page's request
  (:mod:`reflect.servers.warm`), answers only a client that gives the server's token (the kit's
  kernels have it in their environment). Voila's own route there answers anyone who knows a
  kernel's id, which other users of the machine can read in ``ps``, and hands over the page's
  request, whose address holds the token. The provider's routes come before Voila's, so this one
  is used.
"""

from __future__ import annotations

import hmac
import inspect
from typing import Any

from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.utils import url_path_join
from voila.request_info_handler import RequestInfoSocketHandler

XSRF_COOKIE = "_xsrf"
KERNEL_ID = r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"


class KernelsOnlyRequestInfo(RequestInfoSocketHandler):  # type: ignore[misc]
    """Voila's ``voila/query/<kernel id>`` websocket, for clients that give the server's token only."""

    async def get(self, *args: Any, **kwargs: Any) -> None:
        token = str(getattr(self.settings.get("identity_provider"), "token", "") or "")
        given = self.request.headers.get("Authorization", "")
        if not token or not hmac.compare_digest(given.encode(), f"token {token}".encode()):
            self.set_status(403)
            self.finish()
            return
        await super().get(*args, **kwargs)


class PageIdentityProvider(PasswordIdentityProvider):  # type: ignore[misc]
    """Token sign-in; a signed-in page also gets the ``_xsrf`` cookie its goodbye needs; the kernels'
    wait answers the kit's kernels only."""

    def get_user(self, handler: Any) -> Any:
        found = super().get_user(handler)

        async def with_cookie() -> Any:
            user = await found if inspect.isawaitable(found) else found
            if user is not None and handler.request.method == "GET" and not handler.get_cookie(XSRF_COOKIE):
                handler.current_user = user  # what Jupyter Server sets next anyway; the cookie depends on it
                handler.xsrf_token  # noqa: B018 - reading it sets the cookie on this answer
            return user

        return with_cookie()

    def get_handlers(self) -> list[tuple[str, object]]:
        base = getattr(self.parent, "server_url", None) or "/"
        return [(url_path_join(base, f"/voila/query/{KERNEL_ID}"), KernelsOnlyRequestInfo),
                *super().get_handlers()]
