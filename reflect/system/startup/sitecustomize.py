"""Reflect's start-up file for the processes the kit starts (Voila, its kernels, JupyterLab).

Python imports ``sitecustomize`` at start-up from the first folder of ``sys.path`` that holds one;
the kit puts this file's folder first on the children's ``PYTHONPATH``
(:func:`reflect.system.speedups.child_environment`). It marks jsonschema's optional
``rfc3987_syntax`` as unavailable before anything imports jsonschema (see
:mod:`reflect.system.speedups`: about 0.8 s saved in each process), then runs the
``sitecustomize`` this one hides, if there is one further on the path, so nothing of the system's
or the person's own set-up is lost. It must stay cheap and never fail a start: it imports nothing
of Reflect's.
"""

import importlib.machinery
import importlib.util
import os
import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _run_the_hidden_one() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or spec.origin == __file__:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module  # as Python would have it
    spec.loader.exec_module(module)


try:
    _run_the_hidden_one()
except Exception as exc:  # a broken site file elsewhere must not stop the kit's server
    print(f"reflect: the sitecustomize further on the path failed: {exc!r}", file=sys.stderr)
