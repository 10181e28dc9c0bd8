"""The certificate of the form on the home network: made once, kept beside the store, reused.

``reflect app --lan`` serves HTTPS only, so that nobody else on the network can read what a
partner types. No public authority can vouch for an address like ``192.168.1.20``, so the kit
makes its own certificate (self-signed, with :mod:`cryptography`): an ECDSA P-256 key and a
certificate naming this computer's addresses and host name, valid for 825 days. Both files sit
beside the store, readable by their owner only (0600), written through an exclusive temporary file
and a rename. Later starts reuse them, so a phone that once accepted the certificate is asked again
only when it changes: when it has expired (or will within a day), when it does not name the address
being served, when a file is missing or unreadable, or when it lacks the key identifiers (below). A
trial on this computer alone (a loopback address, ``--address 127.0.0.1``) gets a certificate of its
own, kept beside the other, so that trying it out never replaces the one the phones know.

Why 825 days: every new certificate is a new warning on every phone, so it should change as seldom
as it may, and 825 days is the longest Apple's devices accept for a TLS server certificate (their
rule since iOS 13 and macOS 10.15). The 90 to 366 days Mozilla's TLS guidelines suggest are for
certificates an authority renews unattended, which nobody is asked about.

The certificate carries a Subject Key Identifier and an Authority Key Identifier (for a self-signed
certificate, its own key's identifier), as RFC 5280 asks: strict verifiers (the ``cryptography``
library's own, rustls) refuse a certificate without them even when told to trust exactly that one.
A certificate kept from before they were added is replaced once (each phone asks once more).

A browser warns about any certificate it was not told to trust. Its SHA-256 fingerprint, which
the terminal prints, lets a person check that the one their phone was shown is the kit's.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reflect.errors import ReflectError
from reflect.system.paths import write_private

if TYPE_CHECKING:
    from cryptography import x509

#: How long a new certificate is valid: 825 days, the most Apple's devices accept for a TLS server
#: certificate (each new one is a new warning on each phone, so it lasts as long as it may).
VALID_DAYS = 825
#: A certificate with less than this left is remade.
RENEW_BEFORE = dt.timedelta(days=1)


class CertificateError(ReflectError):
    """The certificate could not be made or written."""


@dataclass(frozen=True)
class Certificate:
    """The certificate and key files, the SHA-256 fingerprint, and whether they were just made."""

    cert_file: Path
    key_file: Path
    fingerprint: str
    made: bool
    not_after: dt.datetime


def certificate_paths(store: Path, *, loopback: bool = False) -> tuple[Path, Path]:
    """Where the certificate and its key live for ``store``: beside it, named after it. A trial on this
    computer alone (``--address 127.0.0.1``) has a pair of its own (``loopback``), so that it never
    replaces the one the phones know (they would warn again), and is asked about once too."""
    kind = "loopback" if loopback else "lan"
    return (store.with_name(f"{store.name}.{kind}-certificate.pem"),
            store.with_name(f"{store.name}.{kind}-key.pem"))


def fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a certificate (DER bytes) as browsers show it: ``AB:CD:...``."""
    import hashlib

    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def ensure_certificate(store: Path, addresses: list[str], *, hostname: str | None = None,
                       now: dt.datetime | None = None) -> Certificate:
    """The certificate for serving ``store`` on ``addresses``: the one kept beside the store if it
    is still good for them, else a new one (written owner-only)."""
    now = now or dt.datetime.now(dt.UTC)
    cert_file, key_file = certificate_paths(store, loopback=all(ipaddress.ip_address(a).is_loopback for a in addresses))
    kept = _load(cert_file, key_file)
    if kept is not None and _covers(kept, addresses) and _identified(kept) \
            and kept.not_valid_after_utc - RENEW_BEFORE > now:
        return _described(kept, cert_file, key_file, made=False)
    cert, key_pem = _make(addresses, hostname or socket.gethostname(), now)
    from cryptography.hazmat.primitives import serialization

    try:
        write_private(key_file, key_pem)
        write_private(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    except ReflectError as exc:
        raise CertificateError(f"cannot keep the certificate beside the store: {exc}") from None
    return _described(cert, cert_file, key_file, made=True)


def _described(cert: x509.Certificate, cert_file: Path, key_file: Path, *, made: bool) -> Certificate:
    from cryptography.hazmat.primitives import serialization

    return Certificate(cert_file, key_file, fingerprint(cert.public_bytes(serialization.Encoding.DER)), made,
                       cert.not_valid_after_utc)


def _load(cert_file: Path, key_file: Path) -> x509.Certificate | None:
    """The kept certificate, or None when it or its key is missing, unreadable, readable by others,
    or when they are not a pair."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        if any(os.stat(f).st_mode & 0o077 for f in (cert_file, key_file)):
            return None  # no longer owner-only: a new key, written privately
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) \
            != key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo):
        return None
    return cert


def _covers(cert: x509.Certificate, addresses: list[str]) -> bool:
    from cryptography import x509
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    held = set(names.get_values_for_type(x509.IPAddress))
    return all(ipaddress.ip_address(a) in held for a in addresses)


def _identified(cert: x509.Certificate) -> bool:
    """Whether ``cert`` has a Subject Key Identifier of its own key and an Authority Key Identifier
    naming it (a self-signed certificate is its own authority). Kits before these were added made
    certificates without them, which strict verifiers refuse: those are replaced, once."""
    from cryptography import x509

    try:
        subject = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        authority = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return subject.digest == x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest \
        and authority.key_identifier == subject.digest


def _make(addresses: list[str], hostname: str, now: dt.datetime) -> tuple[x509.Certificate, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"Reflect on {hostname}"[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Reflect (made on this computer)"),
    ])
    alt: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address(a)) for a in dict.fromkeys(addresses)]
    for dns in dict.fromkeys([hostname, f"{hostname.split('.')[0]}.local"]):
        try:
            alt.append(x509.DNSName(dns.encode("idna").decode("ascii")))
        except UnicodeError:
            continue
    # the key's identifier (RFC 5280's method 1); self-signed, the certificate is its own authority
    identifier = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(identifier, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(identifier), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert, key_pem


def served_fingerprint(host: str, port: int, timeout: float = 10.0) -> str:
    """The fingerprint of the certificate a server at ``host:port`` presents (checked by nothing else)."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
    if not der:
        raise CertificateError(f"{host}:{port} presented no certificate")
    return fingerprint(der)


__all__ = ["Certificate", "CertificateError", "VALID_DAYS", "certificate_paths", "ensure_certificate",
           "fingerprint", "served_fingerprint"]
