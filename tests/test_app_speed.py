"""`reflect app` opening fast: the start-up file in the kit's children, kernels kept ready, pages freed.

Speed itself is measured by benchmarks/app_speed.py (never by a timed test); these prove what the
speed rests on: the processes the kit starts skip jsonschema's slow optional import, the server
keeps kernels ready and culls idle ones, a page made ahead of time still shows the store as it is
when it is opened, one page's person never reaches another page, and a closed page frees its kernel.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reflect.servers import app, kernels, lab, warm
from reflect.servers.app import command, environment
from reflect.storage.store import Store
from reflect.system.speedups import STARTUP_DIR, child_environment

from .helpers import (
    CHROMIUM,
    TIMEOUT_MS,
    alive,
    app_server,
    children,
    make_checkin,
    start_app,
    wait_until,
    waiting_kernels,
)

#: A child that imports what Voila and JupyterLab import (jupyter_events brings jsonschema), then says
#: whether jsonschema's optional rfc3987_syntax was imported.
REPORT = ("import sys, jupyter_events, jsonschema; "
          "print('imported' if sys.modules.get('rfc3987_syntax') is not None else 'skipped')")


def run_child(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", REPORT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# -- the start-up file ---------------------------------------------------------------------------


def test_the_startup_file_is_package_data_with_no_package_around_it():
    assert (STARTUP_DIR / "sitecustomize.py").is_file()
    assert not (STARTUP_DIR / "__init__.py").exists()  # a folder for PYTHONPATH, not a module of Reflect


def test_a_child_of_the_kit_skips_the_slow_import_and_one_without_it_does_not():
    bare = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    assert run_child(bare) == "imported"  # what every server process paid before
    assert run_child(child_environment(bare)) == "skipped"


def test_the_startup_file_runs_the_sitecustomize_it_hides_and_keeps_pythonpath(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "sitecustomize.py").write_text("import os\nos.environ['MINE_RAN'] = 'yes'\n")
    env = child_environment({**os.environ, "PYTHONPATH": str(mine)})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(STARTUP_DIR), str(mine)]
    done = subprocess.run([sys.executable, "-c", "import os, sys, sitecustomize; "
                           "print(os.environ.get('MINE_RAN'), sys.modules.get('rfc3987_syntax', 'absent'), "
                           "sitecustomize.__file__)"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    ran, marked, name = done.stdout.split()
    assert (ran, marked) == ("yes", "None")
    assert name == str(mine / "sitecustomize.py")
    assert child_environment(env)["PYTHONPATH"] == env["PYTHONPATH"]  # never twice


def test_a_broken_sitecustomize_elsewhere_does_not_stop_the_child(tmp_path):
    (tmp_path / "sitecustomize.py").write_text("raise RuntimeError('broken on purpose')\n")
    env = child_environment({**os.environ, "PYTHONPATH": str(tmp_path)})
    done = subprocess.run([sys.executable, "-c", "print('started')"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "started"
    assert "broken on purpose" in done.stderr


def test_the_app_server_and_its_kernels_get_the_startup_file(tmp_path):
    env = environment(tmp_path / "us.db", "t", base={"PYTHONPATH": "/theirs"})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(STARTUP_DIR), "/theirs"]
    assert run_child({**env, "PATH": os.environ.get("PATH", "")}) == "skipped"


def test_jupyterlab_gets_the_startup_file(monkeypatch, tmp_path):
    seen = {}

    class Stopped:
        returncode = 1

        def poll(self):
            return 1

    def fake_popen(cmd, **kwargs):
        seen.update(kwargs["env"])
        return Stopped()

    monkeypatch.setattr(lab.subprocess, "Popen", fake_popen)
    with pytest.raises(lab.LabError):
        lab.start(tmp_path / "us.db", port=app.free_port(), timeout=5)
    assert seen["PYTHONPATH"].split(os.pathsep)[0] == str(STARTUP_DIR)


# -- kernels kept ready, freed, culled -----------------------------------------------------------


def test_the_server_keeps_kernels_ready_frees_closed_pages_and_culls_idle_ones():
    cmd = command(Path("nb.ipynb"), port=8123)
    for flag in ("--preheat_kernel=True", f"--pool_size={kernels.POOL_SIZE}",
                 "--Voila.identity_provider_class=reflect.servers.identity.PageIdentityProvider",
                 f"--MappingKernelManager.cull_idle_timeout={kernels.CULL_IDLE_S}",
                 f"--MappingKernelManager.cull_interval={kernels.CULL_EVERY_S}",
                 "--MappingKernelManager.cull_connected=False"):
        assert flag in cmd
    assert kernels.POOL_SIZE >= 1 and 0 < kernels.CULL_EVERY_S < kernels.CULL_IDLE_S
    # a pool renders the notebook ahead of time: Voila refuses it with progressive rendering
    assert not any("progressive_rendering=True" in part for part in cmd)


def test_outside_a_ready_kernel_the_notebook_does_not_wait(monkeypatch):
    monkeypatch.delenv(warm.PREHEAT_VARIABLE, raising=False)
    assert not warm.in_ready_kernel()
    assert warm.wait_for_visitor() is None  # returns at once (JupyterLab, a headless run)
    assert warm.in_ready_kernel({warm.PREHEAT_VARIABLE: "True"})
    assert not warm.in_ready_kernel({warm.PREHEAT_VARIABLE: "False"})


def test_a_ready_kernel_that_cannot_reach_its_server_builds_the_page_anyway(monkeypatch, caplog):
    monkeypatch.setenv(warm.PREHEAT_VARIABLE, "True")
    monkeypatch.setenv("VOILA_APP_PORT", str(app.free_port()))  # nothing listens there
    with caplog.at_level("WARNING", logger="reflect.servers.warm"):
        waiting = warm.wait_for_visitor()  # no exception: the page catches up, with the store as it is
        assert waiting is not None
        waiting.join(60)
    assert "could not wait for the page to be opened" in caplog.text


def test_a_ready_kernel_waits_for_its_visitor_then_belongs_to_that_page(monkeypatch):
    calls = []

    def visitor_came(environ):
        calls.append(environ.get("JUPYTER_TOKEN"))
        return {"QUERY_STRING": "token=t", "SCRIPT_NAME": "/"}

    monkeypatch.setenv(warm.PREHEAT_VARIABLE, "True")
    monkeypatch.setenv("JUPYTER_TOKEN", "t")
    monkeypatch.delenv("SCRIPT_NAME", raising=False)
    monkeypatch.setattr(warm, "wait_for_request", visitor_came)
    waiting = warm.wait_for_visitor()  # in the background: the page made ahead is sent whole meanwhile
    assert waiting is not None
    waiting.join(60)
    assert calls == ["t"]
    assert os.environ["SCRIPT_NAME"] == "/"
    assert not warm.in_ready_kernel()


def test_a_ready_kernel_waits_at_its_own_address_on_this_machine():
    env = {"VOILA_APP_PORT": "8123", "VOILA_SERVER_URL": "/", "VOILA_KERNEL_ID": "a-b-c-d-e"}
    assert warm.query_address(env) == "ws://127.0.0.1:8123/voila/query/a-b-c-d-e"


@pytest.mark.slow
def test_only_the_kits_kernels_may_wait_for_a_page_request(tmp_path):
    import uuid

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with app_server(tmp_path / "us.db") as server:
        address = warm.query_address({"VOILA_APP_PORT": str(server.port), "VOILA_KERNEL_ID": str(uuid.uuid4())})
        for header in ({}, {"Authorization": "token not-the-token"}):
            with pytest.raises(InvalidStatus, match="403"):
                connect(address, additional_headers=header, open_timeout=30)
        with connect(address, additional_headers={"Authorization": f"token {server.token}"}, open_timeout=30):
            pass  # the kit's kernels get in


# -- in a real browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists() or not sys.platform.startswith("linux"),
                    reason="needs Debian's chromium at /usr/bin/chromium and Linux's /proc")
def test_a_page_made_ahead_shows_the_store_as_it_is_when_opened_and_frees_its_kernel(browser, tmp_path, calendar):
    from playwright.sync_api import expect

    db = tmp_path / "ahead.db"
    with Store(db) as store:
        store.save(make_checkin("Robin", calendar.first_of_last_month, passion=6))
    with app_server(db) as server:
        assert server.process is not None
        # every kernel of the pool has run the notebook up to the wait, long before anyone comes
        wait_until(lambda: len(waiting_kernels(server)) == kernels.POOL_SIZE, "the pool's kernels waiting")
        made_ahead = set(waiting_kernels(server))  # the two pages below take these two
        for kernel in children(server.process.pid):
            with open(f"/proc/{kernel}/environ", "rb") as f:
                env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
            assert env[b"PYTHONPATH"].split(os.pathsep.encode())[0] == str(STARTUP_DIR).encode()

        # meanwhile, another page saves: Alex, new, answers for this month
        with Store(db) as store:
            store.save(make_checkin("Alex", calendar.today, passion=8))

        first = browser.new_context()
        page = first.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server.url)
        who = page.get_by_placeholder("Pick your name")
        expect(who).to_be_enabled()
        options = page.locator(".reflect-checkin-form datalist option")
        expect(options).to_have_count(2)  # Alex too, saved after the kernel was made
        assert sorted(options.evaluate_all("els => els.map(e => e.value)")) == ["Alex", "Robin"]
        who.fill("Alex")
        who.press("Enter")
        expect(page.locator(".reflect-dimension-passion .widget-readout").first).to_have_text("8")

        # a second visitor gets a page of their own: nothing of Alex's
        second = browser.new_context()
        other = second.new_page()
        other.set_default_timeout(TIMEOUT_MS)
        other.goto(server.url)
        their_who = other.get_by_placeholder("Pick your name")
        expect(their_who).to_be_enabled()
        expect(their_who).to_have_value("")
        expect(other.locator(".reflect-dimension-passion .widget-readout").first).not_to_have_text("8")
        assert "Alex" not in " ".join(other.locator(".reflect-checkin-form .widget-html").all_inner_texts())

        # closing the pages frees their kernels (the server starts others for the pool meanwhile)
        assert made_ahead <= set(children(server.process.pid))
        page.close(run_before_unload=True)
        other.close(run_before_unload=True)
        wait_until(lambda: not made_ahead & set(children(server.process.pid)), "the closed pages' kernels freed")
        first.close()
        second.close()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux's /proc")
def test_killing_reflect_app_leaves_neither_its_server_nor_its_ready_kernels(tmp_path):
    import signal

    parent, _url = start_app(tmp_path / "couple.db", tmp_path)  # once it said "ready at"
    try:
        [server] = children(parent.pid)
        wait_until(lambda: len(children(server)) == kernels.POOL_SIZE, "the ready kernels started")
        everyone = [server, *children(server)]
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=60)
        wait_until(lambda: not any(alive(p) for p in everyone), "the server and its kernels gone", timeout=30)
    finally:
        parent.kill()


def test_a_server_on_the_home_network_over_https_tells_its_kernels_where_and_what_to_trust(tmp_path):
    cert = tmp_path / "app-cert.pem"
    env = {**kernels.kernel_environment("192.168.1.20", certfile=cert),
           "VOILA_APP_PORT": "8443", "VOILA_KERNEL_ID": "a-b-c-d-e"}
    assert warm.query_address(env) == "wss://192.168.1.20:8443/voila/query/a-b-c-d-e"
    assert env[warm.CERT_VARIABLE] == str(cert)
    assert warm.tls_context({"VOILA_WS_PROTOCOL": "ws"}) is None
    context = warm.tls_context({"VOILA_WS_PROTOCOL": "wss"})  # the system's authorities when no certificate
    assert context is not None and context.check_hostname
    plain = kernels.kernel_environment("127.0.0.1")
    assert warm.query_address({**plain, "VOILA_APP_PORT": "1", "VOILA_KERNEL_ID": "k"}) == "ws://127.0.0.1:1/voila/query/k"
    assert warm.query_address({"VOILA_APP_IP": "::1", "VOILA_APP_PORT": "1"}).startswith("ws://[::1]:1/")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reflect test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_a_ready_kernel_waits_over_https_trusting_the_kits_certificate(tmp_path):
    import json
    import ssl
    import threading

    from websockets.sync.server import serve

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    heard = []

    def answer(socket):
        heard.append((socket.request.path, socket.request.headers.get("Authorization")))
        socket.send(json.dumps({"QUERY_STRING": "token=t"}))

    with serve(answer, "127.0.0.1", 0, ssl=context) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = {**kernels.kernel_environment("127.0.0.1", certfile=cert_file), "JUPYTER_TOKEN": "t",
               "VOILA_APP_PORT": str(server.socket.getsockname()[1]), "VOILA_KERNEL_ID": "a-b-c-d-e"}
        assert warm.wait_for_request(env) == {"QUERY_STRING": "token=t"}
        assert heard == [("/voila/query/a-b-c-d-e", "token t")]
        with pytest.raises(ssl.SSLCertVerificationError):  # a certificate it was not told to trust
            warm.wait_for_request({**env, warm.CERT_VARIABLE: ""})
        server.shutdown()
