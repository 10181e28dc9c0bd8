"""Two partners saving at the same moment from two notebooks: nothing is lost."""

import subprocess
import sys
import textwrap

from reflect.storage.store import Store

WORKER = textwrap.dedent(
    """
    import datetime as dt, sys
    from reflect.domain.checkin import CheckIn
    from reflect.domain.dimensions import KEYS
    from reflect.storage.store import Store

    path, worker, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    person = f"P{worker % 2}"  # a store is one couple: the workers share its two people
    store = Store(path)
    start = dt.date(2000, 1, 1) + dt.timedelta(days=worker * n)
    for i in range(n):
        scores = {k: 1 + (i + j) % 10 for j, k in enumerate(KEYS)}
        # each worker's own daily check-ins ...
        store.save(CheckIn.create(person=person, date=start + dt.timedelta(days=i),
                                  cadence="daily", scores=scores), source=f"w{worker}")
        # ... and every tenth save, the shared key that every worker writes too
        if i % 10 == 0:
            store.save(CheckIn.create(person="P0", date="2026-10-01",
                                      scores=scores, note=f"w{worker} {i}"), source=f"w{worker}")
    store.close()
    """
)


def test_several_processes_saving_hundreds_of_checkins_at_once(tmp_path):
    path = tmp_path / "busy.db"
    Store(path).close()
    workers, per_worker = 4, 250
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(w), str(per_worker)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * workers, errors
    with Store(path) as store:
        # every worker's daily check-ins are all there
        for p in ("P0", "P1"):
            assert len(store.checkins(person=p, cadence="daily")) == per_worker * workers // 2
        # the shared key holds exactly one current check-in, and every save of it is in history
        assert len(store.checkins(person="P0", cadence="monthly")) == 1
        history = store.history("P0", "2026-10-01")
        notes = {v.checkin.note for v in history}
        assert notes == {f"w{w} {i}" for w in range(workers) for i in range(0, per_worker, 10)}
        assert store.version_count() == workers * per_worker + len(notes)
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
