"""Who may open the app's page, and a closed page that frees its kernel (the Voila server's side).

:class:`PageIdentityProvider` is Jupyter Server's token sign-in, as ``reflect app`` always used
it, plus one thing: once a visitor is signed in, the page also gets tornado's ``_xsrf`` cookie.
When the page is closed, Voila's page asks the server (``POST /voila/api/shutdown/<kernel>``,
sent as a beacon on ``beforeunload``) to shut its kernel down, with that cookie as its proof of
coming from the page itself; Voila's own pages never get the cookie, so without this the request
is refused and every closed page leaves a kernel of about 60 MB running until it is culled.
The cookie is the standard double-submit protection (what JupyterLab's pages get), so a page
elsewhere still cannot make the request.
"""

from __future__ import annotations

import inspect
from typing import Any

from jupyter_server.auth.identity import PasswordIdentityProvider

XSRF_COOKIE = "_xsrf"


class PageIdentityProvider(PasswordIdentityProvider):  # type: ignore[misc]
    """Token sign-in; a signed-in page also gets the ``_xsrf`` cookie its goodbye needs."""

    def get_user(self, handler: Any) -> Any:
        found = super().get_user(handler)

        async def with_cookie() -> Any:
            user = await found if inspect.isawaitable(found) else found
            if user is not None and handler.request.method == "GET" and not handler.get_cookie(XSRF_COOKIE):
                handler.current_user = user  # what Jupyter Server sets next anyway; the cookie depends on it
                handler.xsrf_token  # noqa: B018 - reading it sets the cookie on this answer
            return user

        return with_cookie()
