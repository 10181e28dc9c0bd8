"""`reflect lab`: JupyterLab on the notebooks, on loopback with a token, gone with its parent."""

import json
import os
import re
import signal
import sys
import urllib.error
import urllib.request

import pytest

from reflect.servers.lab import command

from .helpers import PORT_TAKEN, REFLECT_BIN, alive, descendants, kill_all, start_server, wait_for

#: `reflect lab` whose JupyterLab found its port taken (between the kit choosing it and JupyterLab
#: binding it) says only that JupyterLab stopped at once: that too is started again.
LAB_PORT_TAKEN = re.compile(f"{PORT_TAKEN.pattern}|JupyterLab stopped at once")


def test_the_command_keeps_jupyterlab_on_this_computer_behind_a_token(tmp_path):
    cmd = command(8888, "secret", tmp_path)
    assert "--ip=127.0.0.1" in cmd and "--IdentityProvider.token=secret" in cmd
    assert f"--ServerApp.root_dir={tmp_path}" in cmd and "--no-browser" in cmd
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_reflect_lab_serves_the_notebooks_and_dies_with_its_parent(tmp_path):
    env = {**os.environ, "REFLECT_HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc, _said, ready = start_server([str(REFLECT_BIN), "lab"], r"JupyterLab is ready at (http://127\.0\.0\.1:\S+)",
                                      port_taken=LAB_PORT_TAKEN, env=env, start_new_session=True)
    children: set[int] = set()
    try:
        base, token = ready[1].split("/lab?token=")
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=30) as answer:
            names = {item["name"] for item in json.load(answer)["content"]}
        assert {"monthly_report.ipynb", "monthly_reflection.ipynb", "trends.ipynb"} <= names
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/api/contents", timeout=30)  # no token, no answer
        children = descendants(proc.pid)
        assert children
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert wait_for(lambda: not any(alive(p) for p in children), 30), "JupyterLab outlived reflect lab"
    finally:
        kill_all([proc.pid, *children])
