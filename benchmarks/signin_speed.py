"""How long a sign-in takes: the key derivation (scrypt) alone, and a whole sign-in on a real store.

The goal: between 0.2 s and 1 s on the machine the kit runs on, slow for someone guessing, quick for
a person. Run: .venv/bin/python benchmarks/signin_speed.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from reflect.storage import keys
from reflect.storage.store import Store

ROUNDS = 7


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    params = keys.KdfParams()
    derive = [timed(lambda: params.derive("a passphrase of a few words")) for _ in range(ROUNDS)]
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "bench.db") as store:
            add = timed(lambda: store.add_person("Robin", "a passphrase of a few words"))
            store.sign_out()

            def sign_in() -> None:
                store.sign_in("Robin", "a passphrase of a few words")
                store.sign_out()

            whole = [timed(sign_in) for _ in range(ROUNDS)]

            def wrong() -> None:
                try:
                    store.sign_in("Robin", "not it at all")
                except Exception:
                    pass

            refused = timed(wrong)
    n, r, p = keys.SCRYPT_N, keys.SCRYPT_R, keys.SCRYPT_P
    print(f"scrypt n=2**{n.bit_length() - 1}, r={r}, p={p} ({128 * r * n // 2**20} MiB), {ROUNDS} rounds")
    print(f"key derivation alone:   median {statistics.median(derive):.3f} s  (min {min(derive):.3f}, "
          f"max {max(derive):.3f})")
    print(f"sign-in on a store:     median {statistics.median(whole):.3f} s  (min {min(whole):.3f}, "
          f"max {max(whole):.3f})")
    print(f"choosing a passphrase:  {add:.3f} s")
    print(f"a wrong passphrase:     {refused:.3f} s")
    ok = 0.2 <= statistics.median(whole) <= 1.0
    print(f"goal 0.2-1 s a sign-in: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
