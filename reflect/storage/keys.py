"""People's keys: passphrases, the per-person data key, and sealed notes.

The cryptography is the ``cryptography`` package's (AES-256-GCM, scrypt, X25519, HKDF); this module
only arranges it, and holds no SQL (the store keeps the bytes):

- a **passphrase** is stretched with scrypt into a key-encryption key, which wraps the person's
  random 256-bit **data key**. Changing the passphrase re-wraps the data key: no note is rewritten.
  A wrong passphrase fails the AES-GCM tag check, so nothing but the wrap is needed to verify it.
- each **note** has a random key of its own (the content key); the note is sealed with it, and the
  content key is wrapped with the writer's data key. Sharing a note with a partner wraps the same
  content key once more, for the partner's X25519 public key (an ephemeral key agreement, HKDF,
  AES-GCM), so the partner opens it with their own passphrase and never learns the writer's key.
- every sealed value is bound to where it belongs (associated data: who, which check-in), so a
  blob copied from one row to another does not open.

>>> params = KdfParams(n=2**10)
>>> wrapped, unlocked = new_person_key("our walks", "Robin", params)
>>> unlock(wrapped, "our walks", "Robin") == unlocked
True
>>> box = seal_note(unlocked, "I miss our walks.", context="Robin|monthly|2026-10-01")
>>> open_note(unlocked, box, context="Robin|monthly|2026-10-01")
'I miss our walks.'
"""

from __future__ import annotations

import json
import os
import stat
import sys
import unicodedata
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from reflect.errors import ReflectError, ValidationError, WrongPassphrase

#: scrypt's cost: 2**17 x 8 x 1 takes about 0.35 s and 128 MiB on a 2-core machine (measured with
#: ``benchmarks/signin_speed.py``): slow for someone guessing, quick for a person.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1

MIN_PASSPHRASE_LENGTH = 6
MAX_PASSPHRASE_LENGTH = 1024

_NONCE = 12
_KEY = 32


@dataclass(frozen=True)
class KdfParams:
    """How a passphrase is stretched (kept with each wrapped key, so it can change later)."""

    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P
    salt: bytes = field(default_factory=lambda: os.urandom(16))

    def to_json(self) -> str:
        return json.dumps({"name": "scrypt", "n": self.n, "r": self.r, "p": self.p, "salt": self.salt.hex()})

    @classmethod
    def from_json(cls, text: str) -> KdfParams:
        d = json.loads(text)
        if d.get("name") != "scrypt":
            raise ValueError(f"unknown key derivation {d.get('name')!r}")
        return cls(n=int(d["n"]), r=int(d["r"]), p=int(d["p"]), salt=bytes.fromhex(d["salt"]))

    def derive(self, passphrase: str) -> bytes:
        return Scrypt(salt=self.salt, length=_KEY, n=self.n, r=self.r, p=self.p).derive(
            _normalise(passphrase).encode("utf-8")
        )


@dataclass(frozen=True)
class WrappedKey:
    """A person's keys as stored: the data key wrapped by the passphrase, and the X25519 pair
    (public in the clear, private wrapped by the data key)."""

    kdf: str
    wrapped_key: bytes
    public_key: bytes
    wrapped_private: bytes


@dataclass(frozen=True)
class UnlockedKey:
    """A person's keys, opened by their passphrase; held in memory only while they are signed in."""

    data_key: bytes
    private_key: bytes
    public_key: bytes

    def __repr__(self) -> str:  # never print key bytes
        return "<UnlockedKey>"


def _normalise(passphrase: str) -> str:
    # The same passphrase typed on a phone and on a laptop may arrive in two Unicode forms.
    return unicodedata.normalize("NFC", passphrase)


def check_new_passphrase(passphrase: str) -> str:
    """A passphrase a person may choose: long enough, not only spaces; raises ValidationError."""
    if not isinstance(passphrase, str) or not passphrase.strip():
        raise ValidationError("a passphrase is required (or choose to have none)", field="passphrase")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            f"a passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters (a few words are easiest "
            "to remember)", field="passphrase")
    if len(passphrase) > MAX_PASSPHRASE_LENGTH:
        raise ValidationError(f"a passphrase can have at most {MAX_PASSPHRASE_LENGTH} characters",
                              field="passphrase")
    return passphrase


def _seal(key: bytes, plain: bytes, aad: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad.encode("utf-8"))


def _open(key: bytes, box: bytes, aad: str) -> bytes:
    return AESGCM(key).decrypt(box[:_NONCE], box[_NONCE:], aad.encode("utf-8"))


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def new_person_key(passphrase: str, person: str, params: KdfParams | None = None) -> tuple[WrappedKey, UnlockedKey]:
    """Fresh keys for ``person``: as stored (wrapped by ``passphrase``) and open."""
    data_key = AESGCM.generate_key(bit_length=256)
    private = X25519PrivateKey.generate()
    private_raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = _raw(private.public_key())
    kdf, wrapped_key = _wrap_data_key(data_key, passphrase, person, params)
    wrapped = WrappedKey(
        kdf=kdf, wrapped_key=wrapped_key,
        public_key=public,
        wrapped_private=_seal(data_key, private_raw, f"reflect private key|{person}"),
    )
    return wrapped, UnlockedKey(data_key=data_key, private_key=private_raw, public_key=public)


def _wrap_data_key(data_key: bytes, passphrase: str, person: str, params: KdfParams | None) -> tuple[str, bytes]:
    params = params or KdfParams()
    kek = params.derive(check_new_passphrase(passphrase))
    return params.to_json(), _seal(kek, data_key, f"reflect data key|{person}")


def rewrap(unlocked: UnlockedKey, wrapped: WrappedKey, new_passphrase: str, person: str,
           params: KdfParams | None = None) -> WrappedKey:
    """The same keys under a new passphrase (a passphrase change rewrites no note)."""
    kdf, wrapped_key = _wrap_data_key(unlocked.data_key, new_passphrase, person, params)
    return WrappedKey(
        kdf=kdf, wrapped_key=wrapped_key,
        public_key=wrapped.public_key,
        wrapped_private=wrapped.wrapped_private,
    )


def unlock(wrapped: WrappedKey, passphrase: str, person: str) -> UnlockedKey:
    """Open ``person``'s keys with ``passphrase``; raises WrongPassphrase."""
    kek = KdfParams.from_json(wrapped.kdf).derive(passphrase)
    try:
        data_key = _open(kek, wrapped.wrapped_key, f"reflect data key|{person}")
    except InvalidTag:
        raise WrongPassphrase(f"that is not {person}'s passphrase") from None
    private_raw = _open(data_key, wrapped.wrapped_private, f"reflect private key|{person}")
    return UnlockedKey(data_key=data_key, private_key=private_raw, public_key=wrapped.public_key)


# -- notes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealedNote:
    """A note as stored: the text sealed with its own content key, which is wrapped by the writer's
    data key."""

    sealed: bytes
    wrapped_cek: bytes


def seal_note(writer: UnlockedKey, text: str, *, context: str) -> SealedNote:
    cek = AESGCM.generate_key(bit_length=256)
    return SealedNote(
        sealed=_seal(cek, text.encode("utf-8"), f"reflect note|{context}"),
        wrapped_cek=_seal(writer.data_key, cek, f"reflect note key|{context}"),
    )


def open_note(writer: UnlockedKey, note: SealedNote, *, context: str) -> str:
    """The note's text, for its writer."""
    cek = _open(writer.data_key, note.wrapped_cek, f"reflect note key|{context}")
    return _open(cek, note.sealed, f"reflect note|{context}").decode("utf-8")


def share_note(writer: UnlockedKey, note: SealedNote, reader_public: bytes, *, context: str, reader: str) -> bytes:
    """The note's content key wrapped for ``reader``'s public key (what sharing a note stores)."""
    cek = _open(writer.data_key, note.wrapped_cek, f"reflect note key|{context}")
    ephemeral = X25519PrivateKey.generate()
    kek = _agree(ephemeral, X25519PublicKey.from_public_bytes(reader_public), context, reader)
    return _raw(ephemeral.public_key()) + _seal(kek, cek, f"reflect shared note key|{context}|{reader}")


def open_shared_note(reader_key: UnlockedKey, note: SealedNote, share: bytes, *, context: str, reader: str) -> str:
    """A note shared with ``reader``, opened with the reader's own keys."""
    private = X25519PrivateKey.from_private_bytes(reader_key.private_key)
    kek = _agree(private, X25519PublicKey.from_public_bytes(share[:32]), context, reader)
    cek = _open(kek, share[32:], f"reflect shared note key|{context}|{reader}")
    return _open(cek, note.sealed, f"reflect note|{context}").decode("utf-8")


def seal_for(reader_public: bytes, plain: bytes, *, context: str, reader: str) -> bytes:
    """``plain`` sealed for ``reader``'s public key alone (an ephemeral key agreement, HKDF, AES-GCM):
    what a person leaves for a partner to read with the partner's own passphrase, such as the part of
    a consent list a partner may see."""
    ephemeral = X25519PrivateKey.generate()
    kek = _agree(ephemeral, X25519PublicKey.from_public_bytes(reader_public), f"box|{context}", reader)
    return _raw(ephemeral.public_key()) + _seal(kek, plain, f"reflect box|{context}|{reader}")


def open_sealed_for(reader_key: UnlockedKey, box: bytes, *, context: str, reader: str) -> bytes:
    """What :func:`seal_for` sealed, opened with the reader's own keys (raises InvalidTag if not theirs)."""
    private = X25519PrivateKey.from_private_bytes(reader_key.private_key)
    kek = _agree(private, X25519PublicKey.from_public_bytes(box[:32]), f"box|{context}", reader)
    return _open(kek, box[32:], f"reflect box|{context}|{reader}")


def _agree(private: X25519PrivateKey, public: X25519PublicKey, context: str, reader: str) -> bytes:
    shared = private.exchange(public)
    info = f"reflect shared note|{context}|{reader}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=_KEY, salt=None, info=info).derive(shared)


def read_passphrase_file(path: str) -> str:
    """The passphrase on the first line of ``path`` (``-``: standard input), for scripts.

    The file should be readable by its owner only; the line break at the end is not part of it.
    """
    try:
        if path == "-":
            line = sys.stdin.readline()
        else:
            mode = os.stat(path).st_mode
            if stat.S_IMODE(mode) & 0o077:
                raise ReflectError(
                    f"{path} can be read by others: a passphrase file must be yours only (chmod 600 {path})")
            with open(path, encoding="utf-8") as fh:
                line = fh.readline()
    except OSError as exc:
        raise ReflectError(f"{path}: cannot read the passphrase file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ReflectError(f"{path}: the passphrase file is not UTF-8 text") from None
    passphrase = line.rstrip("\r\n")
    if not passphrase:
        raise ReflectError(f"{path}: the passphrase file is empty")
    return passphrase
