"""The home network's TLS (`reflect app --lan`): Mozilla's "intermediate" profile and a certificate
strict verifiers accept when pinned.

The real server is started as a person starts it (on 127.0.0.1) and probed with handshakes: the
certificate it serves passes the ``cryptography`` library's own verifier (RFC 5280 strict) pinned to
the certificate kept beside the store; a TLS 1.2 client offering only CBC suites (or any other suite
outside the profile), one offering only X448, P-521 or a finite-field group, and TLS 1.0 or 1.1 are
all refused by the server, with an alert. Each refused client is first shown to connect to a
permissive server holding the same certificate: the refusal is the kit's, not a client that could
not have connected anywhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reflect.servers.certificate import VALID_DAYS, ensure_certificate, fingerprint
from reflect.servers.voila_https import CIPHERS, FALLBACK_GROUP, GROUPS, restrict_groups
from reflect.storage.store import Store

from .helpers import FAST_KDF, LanApp

#: The permissive server and the old clients use TLS 1.0 and 1.1 on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")

HOST = "127.0.0.1"
TLS1_2 = ssl.TLSVersion.TLSv1_2
TLS1_3 = ssl.TLSVersion.TLSv1_3
#: TLS 1.2 suites outside the profile that OpenSSL knows for an ECDSA certificate: CBC (the first two
#: were accepted before), then AES-CCM, ARIA and Camellia.
OUTSIDE_SUITES = ["ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA",
                  "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-CCM", "ECDHE-ECDSA-AES256-CCM8",
                  "ECDHE-ECDSA-ARIA128-GCM-SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256"]
ONLY_CBC = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:" \
           "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384"
#: Whether the groups can be listed in this Python (else the server keeps P-256 alone: see voila_https).
GROUPS_LISTED = restrict_groups(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), GROUPS)
ACCEPTED_GROUPS = GROUPS.split(":") if GROUPS_LISTED else [FALLBACK_GROUP]


# -- the server, a permissive one to compare with, and a client ----------------------------------------


@pytest.fixture(scope="module")
def lan_db(tmp_path_factory) -> Path:
    """A store whose two people have a passphrase (`reflect app --lan` serves no other)."""
    db = tmp_path_factory.mktemp("tls") / "couple.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.add_person(person, f"{person.lower()}'s words", params=FAST_KDF)
        store.sign_out()
    return db


@pytest.fixture(scope="module")
def served(lan_db) -> Iterator[LanApp]:
    """`reflect app --lan --address 127.0.0.1`, as a person runs it."""
    server = LanApp(lan_db, address=HOST)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def kept(served, lan_db) -> tuple[Path, Path]:
    """The certificate and key the server serves, as kept beside the store (made when it started)."""
    cert = ensure_certificate(lan_db, [HOST])
    assert not cert.made and cert.fingerprint == served.fingerprint
    return cert.cert_file, cert.key_file


@contextlib.contextmanager
def permissive_server(cert_file: Path, key_file: Path) -> Iterator[int]:
    """A server on 127.0.0.1 with the same certificate that takes whatever OpenSSL can do (TLS 1.0 up,
    every suite, every group): its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.load_cert_chain(cert_file, key_file)
    listener = socket.create_server((HOST, 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with contextlib.suppress(OSError), conn:
                conn.settimeout(10)
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        thread.join(5)
        listener.close()


def client(*, versions: tuple[ssl.TLSVersion, ssl.TLSVersion] = (TLS1_2, TLS1_3), ciphers: str | None = None,
           group: str | None = None) -> ssl.SSLContext:
    """A client that checks nothing of the certificate, offering ``versions`` (lowest, highest), only
    ``ciphers`` (TLS 1.2 suites) and only ``group`` for the key exchange, at OpenSSL's lowest security
    level (so that it is the server that says no)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.set_ciphers(f"{ciphers or 'ALL'}:@SECLEVEL=0")
    context.minimum_version, context.maximum_version = versions
    if group:
        context.set_ecdh_curve(group)
    return context


def handshake(port: int, context: ssl.SSLContext) -> tuple[str, str]:
    """(the TLS version, the suite) of a handshake with 127.0.0.1:``port``; ssl.SSLError when refused."""
    with socket.create_connection((HOST, port), timeout=30) as raw, context.wrap_socket(raw) as tls:
        version, suite = tls.version(), tls.cipher()
        assert version and suite
        return version, suite[0]


def refused(port: int, context: ssl.SSLContext) -> str:
    """What the client was told when the server at ``port`` refused it: an alert from the server."""
    with pytest.raises(ssl.SSLError) as said:
        handshake(port, context)
    assert "alert" in str(said.value), said.value  # the server said no, the client did not give up
    return str(said.value)


# -- the certificate --------------------------------------------------------------------------------


def test_a_new_certificate_carries_both_key_identifiers(tmp_path):
    from cryptography import x509

    made = ensure_certificate(tmp_path / "a.db", ["192.168.1.20"], hostname="kitchen")
    cert = x509.load_pem_x509_certificate(made.cert_file.read_bytes())
    subject = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    authority = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert not subject.critical and not authority.critical  # RFC 5280: both non-critical
    assert subject.value == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    assert authority.value.key_identifier == subject.value.digest  # self-signed: its own authority
    assert authority.value.authority_cert_issuer is None and authority.value.authority_cert_serial_number is None
    assert cert.not_valid_after_utc - cert.not_valid_before_utc >= dt.timedelta(days=VALID_DAYS) and VALID_DAYS == 825


def test_a_kept_certificate_without_the_identifiers_is_replaced_once(tmp_path):
    """A certificate made before the identifiers were added (everything else still good) is replaced
    at the next start, and the new one is then kept: each phone asks once more, and once only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    store = tmp_path / "a.db"
    first = ensure_certificate(store, ["192.168.1.20"], hostname="kitchen")
    cert = x509.load_pem_x509_certificate(first.cert_file.read_bytes())
    key = serialization.load_pem_private_key(first.key_file.read_bytes(), password=None)
    old = (x509.CertificateBuilder().subject_name(cert.subject).issuer_name(cert.issuer)
           .public_key(cert.public_key()).serial_number(cert.serial_number)
           .not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc))
    for extension in cert.extensions:
        if not isinstance(extension.value, x509.SubjectKeyIdentifier | x509.AuthorityKeyIdentifier):
            old = old.add_extension(extension.value, extension.critical)
    old_pem = old.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
    first.cert_file.write_bytes(old_pem)
    assert oct(first.cert_file.stat().st_mode & 0o777) == "0o600"
    replaced = ensure_certificate(store, ["192.168.1.20"], hostname="kitchen")
    assert replaced.made and replaced.fingerprint != fingerprint(
        x509.load_pem_x509_certificate(old_pem).public_bytes(serialization.Encoding.DER))
    again = ensure_certificate(store, ["192.168.1.20"], hostname="kitchen")
    assert not again.made and again.fingerprint == replaced.fingerprint


# -- the served handshake ------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_served_certificate_passes_a_strict_verifier_pinned_to_it(served, kept, tmp_path):
    """The ``cryptography`` library's verifier (RFC 5280 and the CA/Browser Forum's rules, the kind
    rustls applies too), trusting the kept certificate and nothing else, accepts the chain the server
    presents for 127.0.0.1; pinned to another certificate of the kit's, it refuses it."""
    from cryptography import x509
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    presented = x509.load_pem_x509_certificate(ssl.get_server_certificate((HOST, served.port), timeout=30).encode())
    pinned = x509.load_pem_x509_certificate(kept[0].read_bytes())
    assert presented == pinned
    verifier = PolicyBuilder().store(Store([pinned])).build_server_verifier(x509.IPAddress(ipaddress.ip_address(HOST)))
    chain = verifier.verify(presented, [])
    assert chain == [presented]
    # the pin matters: trusting another of the kit's certificates, the same chain is refused
    other = ensure_certificate(tmp_path / "other.db", [HOST])
    stranger = x509.load_pem_x509_certificate(other.cert_file.read_bytes())
    with pytest.raises(VerificationError):
        PolicyBuilder().store(Store([stranger])).build_server_verifier(
            x509.IPAddress(ipaddress.ip_address(HOST))).verify(presented, [])
    # and OpenSSL's strict mode (Python 3.13's default) completes the handshake, name checked
    strict = ssl.create_default_context(cafile=kept[0])
    strict.verify_flags |= ssl.VERIFY_X509_STRICT
    with socket.create_connection((HOST, served.port), timeout=30) as raw, \
            strict.wrap_socket(raw, server_hostname=HOST) as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


@pytest.mark.slow
def test_the_profiles_suites_and_groups_are_accepted(served):
    # TLS 1.3, its three suites (the profile's and OpenSSL's default)
    assert handshake(served.port, client(versions=(TLS1_3, TLS1_3)))[0] == "TLSv1.3"
    # TLS 1.2: each of the profile's suites an ECDSA certificate can use
    for suite in [s for s in CIPHERS.split(":") if "ECDSA" in s]:
        assert handshake(served.port, client(versions=(TLS1_2, TLS1_2), ciphers=suite)) == ("TLSv1.2", suite)
    # each accepted group alone, in TLS 1.3 (in TLS 1.2 a client must also list the certificate's P-256)
    for group in ACCEPTED_GROUPS:
        assert handshake(served.port, client(versions=(TLS1_3, TLS1_3), group=group))[0] == "TLSv1.3", group


@pytest.mark.slow
def test_a_client_offering_only_cbc_suites_is_refused(served, kept):
    only_cbc = client(versions=(TLS1_2, TLS1_2), ciphers=ONLY_CBC)
    with permissive_server(*kept) as permissive:
        assert handshake(permissive, only_cbc)[1] in ONLY_CBC.split(":")  # it could connect elsewhere
    refused(served.port, only_cbc)


@pytest.mark.slow
def test_every_tls12_suite_outside_the_profile_is_refused(served, kept):
    with permissive_server(*kept) as permissive:
        for suite in OUTSIDE_SUITES:
            assert handshake(permissive, client(versions=(TLS1_2, TLS1_2), ciphers=suite)) == ("TLSv1.2", suite)
    for suite in OUTSIDE_SUITES:
        refused(served.port, client(versions=(TLS1_2, TLS1_2), ciphers=suite))


@pytest.mark.slow
@pytest.mark.parametrize("group", ["X448", "secp521r1", "ffdhe2048"])
def test_a_client_offering_only_a_group_outside_the_profile_is_refused(served, kept, group):
    """TLS 1.3, the client's only group outside the profile (X448, P-521, a finite-field group):
    accepted by OpenSSL's defaults, refused by the kit's server. (In TLS 1.2 such a client cannot
    connect even to a permissive server: it would also have to offer P-256, the certificate's curve.)"""
    only = client(versions=(TLS1_3, TLS1_3), group=group)
    with permissive_server(*kept) as permissive:
        assert handshake(permissive, only)[0] == "TLSv1.3"
    refused(served.port, only)


@pytest.mark.slow
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=["TLS 1.0", "TLS 1.1"])
def test_tls_10_and_11_are_refused(served, kept, version):
    old = client(versions=(version, version))
    with permissive_server(*kept) as permissive:
        assert handshake(permissive, old)[0] == {ssl.TLSVersion.TLSv1: "TLSv1", ssl.TLSVersion.TLSv1_1: "TLSv1.1"}[
            version]
    assert "protocol version" in refused(served.port, old)
