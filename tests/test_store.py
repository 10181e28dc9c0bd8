import os
import sqlite3
import stat

import pytest

from reflect.domain.dimensions import KEYS
from reflect.errors import NotAReflectStore, StoreError, StoreTooNew, ValidationError
from reflect.storage import migrations
from reflect.storage.store import Store

from .helpers import make_checkin


def test_save_then_read_back(store):
    c = make_checkin(passion=7, desired={"physical": 9}, note="a good month")
    assert store.save(c).status == "added"
    [back] = store.checkins()
    assert back == c
    assert store.count() == 1
    assert store.people() == ["Robin"]
    assert store.months() == ["2026-10"]
    assert store.latest_month() == "2026-10"


def test_saving_again_supersedes_and_keeps_history(store):
    first = make_checkin(passion=5, note="first")
    second = make_checkin(date="2026-10-20", passion=8, note="second")
    assert store.save(first, source="form").status == "added"
    result = store.save(second, source="cli")
    assert result.status == "updated"
    assert result.previous == first
    assert store.checkins() == [second]
    assert store.get("Robin", "2026-10-09") == second
    versions = store.history("Robin", "2026-10-31")
    assert [v.checkin for v in versions] == [first, second]
    assert [v.current for v in versions] == [False, True]
    assert [v.source for v in versions] == ["form", "cli"]
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].saved_at <= versions[1].saved_at


def test_an_identical_save_changes_nothing_and_adds_no_history(store):
    c = make_checkin()
    store.save(c)
    assert store.save(make_checkin()).status == "unchanged"
    assert store.version_count() == 1


def test_an_update_back_to_an_old_value_is_still_a_new_version(store):
    store.save(make_checkin(passion=5))
    store.save(make_checkin(passion=6))
    assert store.save(make_checkin(passion=5)).status == "updated"
    assert [v.checkin.scores["passion"] for v in store.history("Robin", "2026-10-01")] == [5, 6, 5]


def test_key_is_person_cadence_and_period(store):
    store.save(make_checkin(cadence="monthly"))
    store.save(make_checkin(cadence="weekly", date="2026-10-07"))
    store.save(make_checkin(cadence="daily", date="2026-10-07"))
    store.save(make_checkin(person="Sam"))
    assert store.count() == 4
    assert store.get("Robin", "2026-10-08", "weekly").period_start.isoformat() == "2026-10-05"
    assert store.get("Robin", "2026-10-08", "daily") is None


def test_filters(store):
    store.save(make_checkin(person="Robin", date="2026-09-01"))
    store.save(make_checkin(person="Robin", date="2026-10-01"))
    store.save(make_checkin(person="Sam", date="2026-10-01"))
    store.save(make_checkin(person="Sam", date="2026-10-02", cadence="daily"))
    assert len(store.checkins(person="Sam")) == 2
    assert len(store.checkins(month="2026-10")) == 3
    assert len(store.checkins(month="2026-10", cadence="daily")) == 1
    assert store.checkins(month="2026-08") == []
    with pytest.raises(ValidationError):
        store.checkins(month="2026-13")


def test_ordered_by_date_person_cadence(store):
    store.save(make_checkin(person="Sam", date="2026-10-01", cadence="daily"))
    store.save(make_checkin(person="Sam", date="2026-10-01"))
    store.save(make_checkin(person="Robin", date="2026-10-01"))
    store.save(make_checkin(person="Robin", date="2026-09-15"))
    keys = [c.key for c in store.checkins()]
    assert keys == [
        ("Robin", "monthly", "2026-09-01"),
        ("Robin", "monthly", "2026-10-01"),
        ("Sam", "daily", "2026-10-01"),
        ("Sam", "monthly", "2026-10-01"),
    ]


def test_save_many_is_all_or_nothing(store):
    store.save(make_checkin(person="Sam"))
    good = make_checkin(person="Robin")
    # A row the database itself rejects half-way through (bypassing validation) rolls back all.
    broken = make_checkin(person="Robin", date="2026-09-01")
    object.__setattr__(broken, "scores", {**broken.scores, "passion": 42})
    with pytest.raises(sqlite3.IntegrityError):
        store.save_many([good, broken])
    assert store.count() == 1
    assert store.version_count() == 1


def test_save_many_rejects_two_checkins_with_one_key(store):
    with pytest.raises(ValidationError, match="same person, cadence and period"):
        store.save_many([make_checkin(date="2026-10-01"), make_checkin(date="2026-10-30")])
    assert store.count() == 0


def test_frame_has_the_latest_checkins(store):
    store.save(make_checkin(passion=3, note="secret"))
    store.save(make_checkin(passion=4, note="secret", desired={"physical": 8}))
    store.save(make_checkin(person="Sam", date="2026-09-03", cadence="weekly"))
    df = store.frame()
    assert list(df.columns[:4]) == ["person", "cadence", "date", "month"]
    assert "note" not in df.columns
    assert len(df) == 2
    robin = df[df.person == "Robin"].iloc[0]
    assert robin.passion == 4.0
    assert robin.desired_physical == 8.0
    assert robin.month == "2026-10"
    assert df[df.person == "Sam"].iloc[0].month == "2026-08"  # week of Monday 31 Aug
    notes = store.frame(include_notes=True)["note"]
    assert notes.isna().tolist() == [True, False] and notes.iloc[1] == "secret"


# -- the file -------------------------------------------------------------------------------------


def test_a_new_store_is_owner_only_and_wal(db_path):
    with Store(db_path) as s:
        s.save(make_checkin())
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
        for side in ("-wal", "-shm"):
            p = db_path.with_name(db_path.name + side)
            if p.exists():
                assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0
        assert s.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.schema_version == migrations.SCHEMA_VERSION


def test_a_missing_folder_is_made_owner_only(tmp_path):
    path = tmp_path / "new" / "couple.db"
    Store(path).close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_existing_store_with_loose_permissions_is_tightened(db_path):
    Store(db_path).close()
    db_path.chmod(0o644)
    Store(db_path).close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_data_survives_reopening(db_path):
    with Store(db_path) as s:
        s.save(make_checkin(passion=9))
    with Store(db_path) as s:
        assert s.checkins()[0].scores["passion"] == 9


def test_create_false_on_a_missing_store(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def _snapshot(path):
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


def test_a_text_file_is_not_a_store_and_is_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("dear diary\n")
    before = _snapshot(path)
    with pytest.raises(NotAReflectStore, match="not a Reflect store.*left untouched"):
        Store(path)
    assert _snapshot(path) == before


def test_another_sqlite_database_is_not_a_store_and_is_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    before = _snapshot(path)
    with pytest.raises(NotAReflectStore, match="an SQLite database but not a Reflect store"):
        Store(path)
    assert _snapshot(path) == before


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with Store(path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION


def test_a_store_from_a_newer_reflect_is_refused_and_left_untouched(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    conn.close()
    before = _snapshot(db_path)
    with pytest.raises(StoreTooNew, match="newer Reflect"):
        Store(db_path)
    assert _snapshot(db_path) == before


def test_an_older_store_is_migrated_with_a_copy_kept(db_path):
    # Build a schema-1 store as the first release wrote it, with one check-in.
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    migrations.apply(conn, start=0, stop=1)
    conn.execute(
        "INSERT INTO checkin_versions (person, cadence, period_start, "
        + ", ".join(KEYS) + ", note, saved_at) VALUES ('Robin', 'monthly', '2026-09-01', "
        "6, 7, 5, 8, 6, 7, 'old note', '2026-09-02T10:00:00+00:00')"
    )
    conn.execute("INSERT INTO checkins VALUES ('Robin', 'monthly', '2026-09-01', 1)")
    conn.execute("COMMIT")
    conn.close()
    assert migrations.SCHEMA_VERSION > 1
    with Store(db_path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION
        [c] = s.checkins()
        assert c.note == "old note" and c.scores["intellectual"] == 8
        assert s.history("Robin", "2026-09-01")[0].source is None
        s.save(make_checkin(date="2026-09-01", passion=9))
        assert [v.source for v in s.history("Robin", "2026-09-01")] == [None, None]
    kept = db_path.with_name(db_path.name + ".schema-v1.bak")
    assert kept.exists()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    old = sqlite3.connect(kept)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()


def test_migrations_are_numbered_and_complete():
    assert migrations.SCHEMA_VERSION == len(migrations.MIGRATIONS)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.apply(conn, start=0)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION


# -- backup ---------------------------------------------------------------------------------------


def test_backup_to_a_file(file_store, tmp_path):
    file_store.save(make_checkin(note="keep me"))
    dest = file_store.backup(tmp_path / "copy.db")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    with Store(dest) as copy:
        assert copy.checkins() == file_store.checkins()


def test_backup_into_a_folder_names_the_file(file_store, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    dest = file_store.backup(folder)
    assert dest.parent == folder and dest.name.startswith("couple-") and dest.suffix == ".db"


def test_backup_never_overwrites(file_store, tmp_path):
    dest = tmp_path / "copy.db"
    dest.write_text("precious")
    with pytest.raises(StoreError, match="already exists"):
        file_store.backup(dest)
    assert dest.read_text() == "precious"
    file_store.backup(dest, overwrite=True)
    assert Store(dest).count() == 0


def test_backup_refuses_the_store_itself_and_missing_folders(file_store, db_path, tmp_path):
    with pytest.raises(StoreError, match="already exists"):
        file_store.backup(db_path)
    with pytest.raises(StoreError, match="no such folder"):
        file_store.backup(tmp_path / "nowhere" / "copy.db")
    with pytest.raises(StoreError, match="no such folder"):
        file_store.backup(str(tmp_path / "nowhere") + os.sep)
    assert not (tmp_path / "nowhere").exists()


def test_an_empty_file_is_not_opened_for_reading(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(StoreError, match="is empty, not yet a Reflect store"):
        Store(path, create=False)
    assert path.read_bytes() == b""


def test_a_store_takes_a_path_and_one_place_says_which_is_the_default(tmp_path, monkeypatch):
    from reflect.storage.store import open_store

    with pytest.raises(TypeError, match="resolve_store_path"):
        Store(None)  # type: ignore[arg-type]
    monkeypatch.setenv("REFLECT_DB", str(tmp_path / "chosen.db"))
    with open_store() as store:
        assert store.path == tmp_path / "chosen.db"
