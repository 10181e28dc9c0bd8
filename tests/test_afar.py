"""The form on the home network (`reflect app --lan`), without a browser: the certificate, the
address, who may act, the command line, what is served over HTTPS, and stopping (even when killed).

The two partners on two phones are in tests/test_afar_browser.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import os
import re
import signal
import ssl
import stat
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from reflect.errors import NotSignedIn, ValidationError
from reflect.servers.app import AppError, AppServer, check_passphrases, lan_command, lan_words, qr_code
from reflect.servers.certificate import (
    VALID_DAYS,
    certificate_paths,
    ensure_certificate,
    fingerprint,
    served_fingerprint,
)
from reflect.storage.store import ENV_PASSPHRASES_REQUIRED, Store
from reflect.system.network import AddressError, Interface, check_address, choose_address, home_addresses

from .helpers import (
    FAST_KDF,  # no slow key derivation in tests
    LanApp,
    alive,
    children,
    descendants,
    kill_all,
    make_checkin,
    wait_for,
)

KNOWN = [Interface("lo", "127.0.0.1"), Interface("wlan0", "192.168.1.20"), Interface("eth0", "10.0.0.5"),
         Interface("eth1", "169.254.3.4"), Interface("wan", "81.2.69.160")]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cert(path: Path):
    from cryptography import x509

    return x509.load_pem_x509_certificate(path.read_bytes())


# -- the certificate -------------------------------------------------------------------------------


def test_the_certificate_is_made_once_owner_only_and_names_the_address(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    store = tmp_path / "couple.db"
    old = os.umask(0)
    try:
        made = ensure_certificate(store, ["192.168.1.20"], hostname="kitchen")
    finally:
        os.umask(old)
    assert made.made
    assert (made.cert_file, made.key_file) == certificate_paths(store)
    assert made.cert_file.parent == tmp_path  # beside the store
    assert _mode(made.cert_file) == _mode(made.key_file) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reflect-")]  # no temporary file left
    cert = _cert(made.cert_file)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["192.168.1.20"]
    assert names.get_values_for_type(x509.DNSName) == ["kitchen", "kitchen.local"]
    assert cert.issuer == cert.subject  # self-signed
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=VALID_DAYS) <= lifetime <= dt.timedelta(days=VALID_DAYS, minutes=10)
    assert made.fingerprint == fingerprint(cert.public_bytes(serialization.Encoding.DER))
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", made.fingerprint)


def test_the_certificate_is_reused_on_later_starts(tmp_path):
    store = tmp_path / "couple.db"
    first = ensure_certificate(store, ["192.168.1.20"], hostname="kitchen")
    again = ensure_certificate(store, ["192.168.1.20"], hostname="kitchen")
    assert not again.made
    assert again.fingerprint == first.fingerprint


@pytest.mark.parametrize("why", ["expired", "expires tomorrow", "another address", "key readable by others",
                                 "key missing", "not a certificate", "not its key"])
def test_the_certificate_is_remade_when_it_no_longer_fits(tmp_path, why):
    store = tmp_path / "couple.db"
    first = ensure_certificate(store, ["192.168.1.20"], hostname="kitchen")
    now = None
    address = "192.168.1.20"
    if why == "expired":
        now = dt.datetime.now(dt.UTC) + dt.timedelta(days=VALID_DAYS + 1)
    elif why == "expires tomorrow":
        now = first.not_after - dt.timedelta(hours=12)
    elif why == "another address":
        address = "10.0.0.5"
    elif why == "key readable by others":
        first.key_file.chmod(0o644)
    elif why == "key missing":
        first.key_file.unlink()
    elif why == "not a certificate":
        first.cert_file.write_text("hello")
    elif why == "not its key":
        other = ensure_certificate(tmp_path / "other.db", ["192.168.1.20"], hostname="kitchen")
        first.key_file.write_bytes(other.key_file.read_bytes())
    again = ensure_certificate(store, [address], hostname="kitchen", now=now)
    assert again.made and again.fingerprint != first.fingerprint
    assert _mode(again.cert_file) == _mode(again.key_file) == 0o600


# -- the address -------------------------------------------------------------------------------------


def test_the_home_address_is_chosen_the_default_routes_first():
    assert [i.address for i in home_addresses(KNOWN)] == ["10.0.0.5", "192.168.1.20"]  # by interface name
    assert choose_address(known=KNOWN, preferred="192.168.1.20").address == "192.168.1.20"
    assert choose_address(known=KNOWN, preferred="81.2.69.160").address == "10.0.0.5"  # never a public one


def test_an_asked_address_must_be_one_of_this_computers():
    assert choose_address("127.0.0.1", known=KNOWN) == Interface("lo", "127.0.0.1")
    assert check_address(" 81.2.69.160 ", known=KNOWN).name == "wan"  # asked by name: allowed
    listed = ("127.0.0.1 (lo), 192.168.1.20 (wlan0), 10.0.0.5 (eth0), 169.254.3.4 (eth1), 81.2.69.160 (wan)")
    with pytest.raises(AddressError) as caught:
        choose_address("192.168.1.99", known=KNOWN)
    assert str(caught.value) == f"--address 192.168.1.99: not an address of this computer; its addresses are {listed}"
    with pytest.raises(AddressError, match=r"^--address kitchen: not an IP address \(for example 192\.168\.1\.20\)"):
        choose_address("kitchen", known=KNOWN)
    with pytest.raises(AddressError, match=r"^--address fd00::2: only IPv4 addresses are served"):
        choose_address("fd00::2", known=KNOWN)


def test_no_home_network_is_said_plainly():
    only = [Interface("lo", "127.0.0.1"), Interface("wan", "81.2.69.160")]
    with pytest.raises(AddressError) as caught:
        choose_address(known=only, preferred="81.2.69.160")
    assert str(caught.value) == (
        "this computer has no address on a home network (is it connected to your Wi-Fi?); its addresses are "
        "127.0.0.1 (lo), 81.2.69.160 (wan): pick one with --address if you are sure")


# -- who may act: only people with a passphrase ------------------------------------------------------


def test_lan_mode_is_refused_while_someone_has_no_passphrase(tmp_path):
    with Store(tmp_path / "a.db") as store:
        with pytest.raises(AppError, match="nobody is in this store yet, and on the home network nobody new is "
                                           r"made: add each of you at the computer first \(`reflect person add"):
            check_passphrases(store)
        store.add_person("Robin", "robin's words", params=FAST_KDF)
        check_passphrases(store)
        store.add_person("Sam", None)
        with pytest.raises(AppError) as caught:
            check_passphrases(store)
        assert str(caught.value) == (
            "Sam has no passphrase, and on the home network anyone with the address could act as Sam; choose one "
            "first with `reflect person passphrase Sam`, then start `reflect app --lan` again")
    with Store(tmp_path / "b.db") as store:
        store.add_person("Alex", None)
        store.add_person("Sam", None)
        with pytest.raises(AppError, match=r"^Alex and Sam have no passphrase, .* act as them; choose one first "
                                           r"with `reflect person passphrase Alex` \(and for each of them\)"):
            check_passphrases(store)
        store.connection.execute("INSERT INTO people (name, created_at) VALUES ('Mallory', 'x')")  # made before
        with pytest.raises(AppError, match="This store holds 3 people .* a store is one couple"):
            check_passphrases(store)


def test_a_store_requiring_passphrases_lets_nobody_act_without_one(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.add_person("Robin", "robin's words", params=FAST_KDF)
        store.add_person("Alex", None)  # added at the computer while the form is served
        store.sign_out()
    with Store(db, passphrases_required=True) as store:
        for passphrase in (None, "sam's words"):  # a third person: said as such, on the home network too
            with pytest.raises(ValidationError, match="this store is for Alex and Robin"):
                store.add_person("Sam", passphrase)
        assert store.person("Sam") is None
        with pytest.raises(NotSignedIn, match=r"^Alex has no passphrase, and on the home network only people with "
                                              r"one can sign in; choose one at the computer with `reflect person "
                                              r"passphrase Alex`$"):
            store.sign_in("Alex")
        with pytest.raises(NotSignedIn):
            store.save(make_checkin("Alex", "2026-10-01"))
        with pytest.raises(NotSignedIn):  # nobody on the network claims Alex by choosing a passphrase for them
            store.set_passphrase("Alex", "someone else's words")
        with pytest.raises(NotSignedIn):
            store.save(make_checkin("Robin", "2026-10-01"))  # Robin has not signed in
        store.sign_in("Robin", "robin's words")
        store.save(make_checkin("Robin", "2026-10-01", note="mine"))
        with pytest.raises(NotSignedIn):  # not even signed in as Robin: nobody new on the home network
            store.save(make_checkin("Sam", "2026-10-01"))
        assert store.version_count() == 1 and store.people() == ["Alex", "Robin"]


def test_the_form_in_lan_mode_offers_no_way_without_a_passphrase(tmp_path, monkeypatch):
    from reflect.views.widgets import checkin_form

    db = tmp_path / "a.db"
    with Store(db) as store:
        store.add_person("Alex", None)
        store.save(make_checkin("Alex", "2026-10-01", note="Alex's open words"))
    monkeypatch.setenv("REFLECT_DB", str(db))
    monkeypatch.setenv(ENV_PASSPHRASES_REQUIRED, "1")
    form = checkin_form(today=dt.date(2026, 10, 20))
    assert form.store.passphrases_required
    assert "kept on the computer that runs the kit" in form.where.value and str(db) not in form.where.value
    form.who.value = "Sam"  # new: nobody new is made on the home network, and nothing is shown
    assert form.no_passphrase.layout.display == "none" and form.setup_box.layout.display == "none"
    assert form.body.layout.display == "none"
    assert "ask at the computer (`reflect person add Sam`)" in html.unescape(form.banner.value)
    form.who.value = "Alex"  # no passphrase: nothing of Alex's is shown, and no way in from here
    assert form.body.layout.display == "none"
    assert form.protect_button.layout.display == "none"
    assert "reflect person passphrase Alex" in form.setup_words.value
    assert "Alex's open words" not in form.note.value
    assert "Alex" not in form.store.signed_in
    form.store.close()


# -- the server's command, its words -------------------------------------------------------------------


def test_the_lan_server_is_voila_over_https_on_the_chosen_address_serving_no_file(tmp_path):
    cmd = lan_command(Path("nb.ipynb"), port=8443, address="192.168.1.20", cert_file=tmp_path / "c.pem",
                      key_file=tmp_path / "k.pem")
    assert cmd[1:4] == ["-m", "reflect.servers.voila_https", "nb.ipynb"]
    assert "--Voila.ip=192.168.1.20" in cmd and "--Voila.ip=127.0.0.1" not in cmd
    for flag in (f"--ReflectVoila.certfile={tmp_path / 'c.pem'}", f"--ReflectVoila.keyfile={tmp_path / 'k.pem'}",
                 "--VoilaConfiguration.file_allowlist=[]", "--token", "--port=8443", "--Voila.port_retries=0",
                 "--strip_sources=True", "--show_tracebacks=False"):
        assert flag in cmd


def test_address_needs_lan(tmp_path):
    with pytest.raises(AppError, match="--address is for the home network: add --lan"):
        AppServer(tmp_path / "a.db", address="127.0.0.1")


def test_the_terminal_shows_the_address_a_qr_code_and_the_fingerprint(tmp_path, monkeypatch):
    server = AppServer(tmp_path / "a.db", lan=True, address="127.0.0.1")
    assert server.url == f"https://127.0.0.1:{server.port}/?token={server.token}"
    server.certificate = ensure_certificate(server.store, [server.host])
    words = "\n".join(lan_words(server))
    assert f"ready at {server.url} (on this computer only: for your phones, leave --address out" in words
    # no phone can reach a loopback address: no QR code (tests/test_first_evening_ops.py reads one)
    assert "No QR code: no phone can reach 127.0.0.1, which is this computer alone.\n" in words
    assert "\u2580" not in words and "Your browser will warn" in words
    assert f"  {server.certificate.fingerprint}\n" in words
    assert "(just now)" in words and "Press Ctrl-C to stop." in words
    server.host = "192.168.1.20"
    words = "\n".join(lan_words(server, tmp_path / "a.db.lan-qr.png"))
    assert f"ready at {server.url} (on your home network)\n" in words
    assert f"on the same Wi-Fi (also kept as a picture: {tmp_path / 'a.db.lan-qr.png'}):\n" in words
    assert qr_code(server.url) in words and "Your phone will warn" in words


# -- on the command line ---------------------------------------------------------------------------------


def test_address_without_lan_is_a_usage_error(cli):
    r = cli("app", "--address", "127.0.0.1")
    assert r.returncode == 2
    assert "--address is for the home network: add --lan" in r.stderr


def test_a_bad_address_is_one_line_and_writes_nothing(cli, home):
    r = cli("app", "--lan", "--address", "192.0.2.254")
    assert r.returncode == 1
    assert r.stderr.startswith("reflect: --address 192.0.2.254: not an address of this computer; its addresses are ")
    assert len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""
    assert not (home / "data").exists()


def test_lan_mode_refuses_a_store_whose_people_have_no_passphrase(cli, home):
    db = home / "open.db"
    with Store(db) as store:
        store.add_person("Robin", None)
    r = cli("app", "--lan", "--address", "127.0.0.1", "--db", str(db))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "reflect: Robin has no passphrase, and on the home network anyone with the address could act as Robin; "
        "choose one first with `reflect person passphrase Robin`, then start `reflect app --lan` again")
    assert sorted(p.name for p in home.iterdir()) == ["open.db"]  # no certificate made


def test_app_help_tells_of_the_home_network(cli):
    r = cli("app", "--help")
    text = " ".join(r.stdout.split())
    assert "--lan" in text and "--address IP" in text and "a network you trust" in text


# -- the real server: HTTPS, nothing but the form, and stopping ----------------------------------------


@pytest.fixture
def lan_couple_db(tmp_path):
    """The path of a store where Robin and Sam each have a passphrase and a sealed note (October 2026)."""
    db = tmp_path / "couple.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.add_person(person, f"{person.lower()}'s words", params=FAST_KDF)
            store.save(make_checkin(person, "2026-10-01", note=f"{person}'s sealed words"))
        store.sign_out()
    return db


@pytest.fixture
def served(lan_couple_db):
    server = LanApp(lan_couple_db)
    yield server
    server.stop()


async def _try_to_run_code(url: str, token: str, kernel: str, marker: Path) -> list[str]:
    """Send the kernel an execute_request, then a kernel_info_request, over its websocket; the kinds of
    the shell replies received up to the kernel_info_reply (the kernel answers in order)."""
    from tornado.websocket import websocket_connect

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    from tornado.httpclient import HTTPRequest

    ws_url = url.replace("https://", "wss://").split("/?")[0] + f"/api/kernels/{kernel}/channels?token={token}"
    socket = await websocket_connect(HTTPRequest(ws_url, ssl_options=context))
    session = uuid.uuid4().hex

    def message(kind: str, content: dict) -> str:
        header = {"msg_id": uuid.uuid4().hex, "username": "x", "session": session, "msg_type": kind,
                  "version": "5.3", "date": dt.datetime.now(dt.UTC).isoformat()}
        return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                           "channel": "shell", "buffers": []})

    socket.write_message(message("execute_request", {
        "code": f"open({str(marker)!r}, 'w').write('ran')", "silent": False, "store_history": False,
        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
    socket.write_message(message("kernel_info_request", {}))
    replies = []
    while True:
        raw = await asyncio.wait_for(socket.read_message(), 60)
        assert raw is not None, "the websocket closed"
        msg = json.loads(raw)
        if msg.get("channel") == "shell":
            replies.append(msg["header"]["msg_type"])
            if msg["header"]["msg_type"] == "kernel_info_reply":
                socket.close()
                return replies


@pytest.mark.slow
def test_lan_mode_serves_the_form_over_https_only_and_nothing_else(served, lan_couple_db, tmp_path):
    # the certificate served is the one kept beside the store, whose fingerprint was printed
    kept = ensure_certificate(lan_couple_db, [served.host])
    assert not kept.made
    assert served_fingerprint(served.host, served.port) == served.fingerprint == kept.fingerprint
    assert _mode(kept.cert_file) == _mode(kept.key_file) == 0o600
    assert "(just now)" in served.said
    # HTTPS only: plain HTTP gets no answer at all, not even an error page
    with pytest.raises(OSError) as plain:
        urllib.request.urlopen(f"http://{served.host}:{served.port}/?token={served.token}", timeout=10)
    assert not isinstance(plain.value, urllib.error.HTTPError), plain.value
    # without the token, no form
    status, where, body = served.get("/", token=False)
    assert "Your monthly reflection" not in body and (status in (401, 403) or "/login" in where)
    # the form, with no code
    status, _where, page = served.get("/")
    assert status == 200 and "Your monthly reflection" in page
    assert "checkin_form(" not in page and "from reflect" not in page
    assert "Robin's sealed words" not in page and "Sam's sealed words" not in page
    # no file, REST, terminal or kernel endpoint
    for path in ("/api/contents", "/api/contents/monthly_reflection.ipynb", "/api/kernels", "/api/sessions",
                 "/api/terminals", "/terminals/1", "/api/kernelspecs", "/files/monthly_reflection.ipynb",
                 "/voila/files/monthly_reflection.ipynb", "/voila/api/contents/", "/tree", "/lab", "/edit/x",
                 "/voila/render/monthly_reflection.ipynb", "/api/status", "/api/me"):
        status, where, body = served.get(path)
        assert status in (403, 404, 405), (path, status, where, body[:200])
        assert "monthly_reflection" not in body and '"type"' not in body, path
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    for path in ("/api/kernels", "/api/sessions", "/api/terminals", "/api/contents/x.py"):
        request = urllib.request.Request(f"{served.base}{path}?token={served.token}", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30, context=context)
        assert refused.value.code in (403, 404, 405), path
    # and the page's own kernel runs no code sent to it: only the widgets' messages pass
    kernel = re.search(r'kernelId": "([0-9a-f-]+)"', page)
    assert kernel, "no kernel id in the page"
    marker = tmp_path / "ran.txt"
    replies = asyncio.run(_try_to_run_code(served.url, served.token, kernel[1], marker))
    assert replies == ["kernel_info_reply"], replies
    assert not marker.exists()


@pytest.mark.slow
def test_the_certificate_is_reused_by_the_next_start(lan_couple_db):
    first = LanApp(lan_couple_db)
    try:
        assert "(just now)" in first.said
    finally:
        first.stop()
    again = LanApp(lan_couple_db)
    try:
        assert "(just now)" not in again.said
        assert again.fingerprint == first.fingerprint == served_fingerprint(again.host, again.port)
    finally:
        again.stop()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_stopping_or_killing_lan_mode_leaves_no_server_and_no_kernel(lan_couple_db, sig):
    served = LanApp(lan_couple_db)
    try:
        status, _where, _page = served.get("/")  # a page load starts a kernel
        assert status == 200
        servers = children(served.process.pid)
        assert servers, "no Voila child found"
        kernels = [k for s in servers for k in children(s)]
        assert kernels, "no kernel found under Voila"
        served.process.send_signal(sig)
        code = served.process.wait(60)
        rest = served.process.stdout.read() if served.process.stdout else ""
        if sig != signal.SIGKILL:
            assert code == 0 and "Stopped. Everything you saved is kept." in rest
        assert wait_for(lambda: not any(alive(p) for p in servers + kernels), 30, step=0.1), \
            "a server or kernel outlived the app"
        with pytest.raises(OSError):
            served_fingerprint(served.host, served.port, timeout=5)
    finally:
        below = descendants(served.process.pid)
        served.process.kill()
        kill_all(below)
        served.process.wait()


def test_on_the_home_network_the_ready_kernels_reach_their_server_over_https(lan_couple_db):
    """A ready kernel waits for its page through the server: on the home network it must find the
    server at its address, over TLS, trusting the kit's certificate (else it builds the page ahead,
    with the store as it was)."""
    from reflect.servers.warm import CERT_VARIABLE

    at_home = AppServer(lan_couple_db)
    _cmd, env = at_home._command_and_environment()
    assert "VOILA_APP_IP" not in env and CERT_VARIABLE not in env
    server = AppServer(lan_couple_db, lan=True, address="127.0.0.1")
    cmd, env = server._command_and_environment()
    assert server.certificate is not None
    assert env["VOILA_APP_IP"] == "127.0.0.1" and env["VOILA_WS_PROTOCOL"] == "wss"
    assert env[CERT_VARIABLE] == str(server.certificate.cert_file)
    assert env[ENV_PASSPHRASES_REQUIRED] == "1" and "--preheat_kernel=True" in cmd


def test_on_the_home_network_what_the_two_share_is_written_only_by_someone_signed_in(lan_couple_db):
    """The page's address alone writes nothing: a ritual done together, a life event, an agreement
    or a new item of the yes / not now / no list needs someone signed in; at the computer nothing changes."""
    from reflect.domain.agreements import Agreement
    from reflect.domain.lifeevents import LifeEvent
    from reflect.domain.rituals import Ritual

    today = dt.date(2026, 10, 20)  # a day fixed in the past (what is written matters, not when)
    month = f"{today:%Y-%m}"
    writes = {
        "log a ritual you did together": lambda s: s.log_ritual(Ritual.create(day=today, kind="hug")),
        "mark a life event": lambda s: s.mark_event(LifeEvent.create(day=today, kind="move", words="A new flat",
                                                                     today=today)),
        "write an agreement": lambda s: s.save_agreement(Agreement.create(month=month, text="Walks on Sundays",
                                                                          today=today)),
        "add to the list": lambda s: s.add_consent_item("Dancing in the kitchen"),
    }
    with Store(lan_couple_db, passphrases_required=True) as store:
        for what, write in writes.items():
            refused = rf"^on the home network, sign in first to {what} \(nothing was saved\)$"
            with pytest.raises(NotSignedIn, match=refused):
                write(store)
        assert store.rituals() == [] and store.life_events() == [] and store.agreements() == []
        store.sign_in("Sam", "sam's words")
        for write in writes.values():
            write(store)
        assert len(store.rituals()) == 1 and len(store.life_events()) == 1 and len(store.agreements()) == 1
    with Store(lan_couple_db) as store:  # at the computer, as before: the couple's shared records need no sign-in
        store.log_ritual(Ritual.create(day=today - dt.timedelta(days=1), kind="hug"))
