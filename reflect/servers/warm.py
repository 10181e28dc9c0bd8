"""Pages kept ready: what a kernel of ``reflect app``'s pool does before anyone opens the page.

``reflect app`` keeps a few kernels ready (Voila's preheated kernel pool, see
:mod:`reflect.servers.app`): each one starts and runs the reflection notebook ahead of time, so
that opening the address costs no kernel start and no imports. But a page made ahead of time
would show the store as it was when the kernel started (who the people are, today's date, a
check-in saved since on another page), so the notebook calls :func:`wait_for_visitor` first: in a
ready kernel it imports what the page needs, then waits there until someone opens the page
(Voila's ``wait_for_request``), and only then are the form and the rest built, from the store as
it is at that moment. Each kernel serves one page and one visitor only: nothing of one page's
person reaches another's.

Anywhere else (JupyterLab, a headless run, a kernel Voila started for one request) it returns at
once and does nothing.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

#: Set by Voila in the environment of a kernel started for its pool.
PREHEAT_VARIABLE = "VOILA_PREHEAT"
#: One of the request's details that Voila hands a waiting kernel once its page is opened.
REQUEST_VARIABLE = "SCRIPT_NAME"


def in_ready_kernel(environ: dict[str, str] | None = None) -> bool:
    """Whether this kernel was started ahead of time for Voila's pool (and no page has it yet)."""
    return (os.environ if environ is None else environ).get(PREHEAT_VARIABLE) == "True"


def _say(words: str) -> None:
    """A warning for the server's log (the kernel's own stderr), never on the person's page."""
    log.warning(words)
    print(f"reflect: {words}", file=sys.__stderr__, flush=True)


def wait_for_visitor() -> None:
    """In a ready kernel: import the page's modules, then wait until someone opens the page.

    Elsewhere it returns at once. If the wait cannot be set up (the server unreachable from the
    kernel), the page is built at once, with the store as it is now, rather than not at all.
    """
    if not in_ready_kernel():
        return
    # What the notebook's cells import, so that the visitor's page costs no import.
    import reflect.views.practices  # noqa: F401
    import reflect.views.quicklog  # noqa: F401
    import reflect.views.widgets  # noqa: F401

    try:
        from voila.utils import wait_for_request

        wait_for_request()  # returns with the request's details in os.environ, or none if it could not wait
    except Exception as exc:  # never leave a person with no form at all
        _say(f"could not wait for the page to be opened ({exc!r}); building it now")
        return
    if REQUEST_VARIABLE not in os.environ:
        _say("the page's request never reached this kernel; building the page now")
        return
    os.environ[PREHEAT_VARIABLE] = "False"  # this kernel now belongs to the page that was opened
