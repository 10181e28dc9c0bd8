"""The store's schema, as explicit, numbered migrations.

``user_version`` holds the schema version; ``application_id`` marks the file as a Reflect store.
Each migration runs in the same transaction as the version bump, so a file is always at one
version or the next, never in between. Add a migration by appending a function; never edit one
that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from reflect.domain.dimensions import KEYS

#: "RFLT" as a 32-bit integer, written into the SQLite header of every Reflect store.
APPLICATION_ID = 0x52464C54


def _v1_checkins(conn: sqlite3.Connection) -> None:
    """Check-ins: every saved version is kept; ``checkins`` points at the latest of each key."""
    score_cols = ",\n".join(
        f"    {k} INTEGER NOT NULL CHECK ({k} BETWEEN 1 AND 10)" for k in KEYS
    )
    desired_cols = ",\n".join(
        f"    desired_{k} INTEGER CHECK (desired_{k} BETWEEN 1 AND 10)" for k in KEYS
    )
    conn.execute(
        f"""
        CREATE TABLE checkin_versions (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL CHECK (length(person) BETWEEN 1 AND 64),
            cadence TEXT NOT NULL CHECK (cadence IN ('monthly', 'weekly', 'daily')),
            period_start TEXT NOT NULL,
{score_cols},
{desired_cols},
            note TEXT,
            saved_at TEXT NOT NULL
        )"""
    )
    conn.execute(
        """
        CREATE TABLE checkins (
            person TEXT NOT NULL,
            cadence TEXT NOT NULL,
            period_start TEXT NOT NULL,
            version_id INTEGER NOT NULL REFERENCES checkin_versions(id),
            PRIMARY KEY (person, cadence, period_start)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        "CREATE INDEX checkin_versions_key ON checkin_versions (person, cadence, period_start, id)"
    )


def _v2_source_and_month_index(conn: sqlite3.Connection) -> None:
    """Record where each version came from (form, cli, import, demo); index check-ins by date."""
    conn.execute("ALTER TABLE checkin_versions ADD COLUMN source TEXT")
    conn.execute("CREATE INDEX checkins_by_date ON checkins (period_start)")


def _v3_rituals(conn: sqlite3.Connection) -> None:
    """The ritual log: kinds the couple added, and every logged ritual with its history."""
    conn.execute(
        """
        CREATE TABLE ritual_kinds (
            kind TEXT PRIMARY KEY,
            cadence TEXT NOT NULL CHECK (cadence IN ('monthly', 'weekly', 'daily')),
            label TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    conn.execute(
        """
        CREATE TABLE ritual_versions (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL CHECK (length(person) <= 64),
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            done INTEGER NOT NULL CHECK (done IN (0, 1)),
            note TEXT,
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE rituals (
            person TEXT NOT NULL,
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            version_id INTEGER NOT NULL REFERENCES ritual_versions(id),
            PRIMARY KEY (person, day, kind)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX ritual_versions_key ON ritual_versions (person, day, kind, id)")
    conn.execute("CREATE INDEX rituals_by_day ON rituals (day)")


def _v4_people_and_keys(conn: sqlite3.Connection) -> None:
    """People the kit knows, their keys (a passphrase wraps each person's data key), what happened
    to them (passphrase set, changed, reset), and sealed notes: a protected person's note is stored
    only sealed (``note`` stays NULL), with the key that opens it and who it is shared with."""
    conn.execute(
        """
        CREATE TABLE people (
            name TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            chose_no_passphrase INTEGER NOT NULL DEFAULT 0 CHECK (chose_no_passphrase IN (0, 1)),
            failures INTEGER NOT NULL DEFAULT 0,
            failed_at TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE person_keys (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL REFERENCES people(name),
            kdf TEXT NOT NULL,
            wrapped_key BLOB NOT NULL,
            public_key BLOB NOT NULL,
            wrapped_private BLOB NOT NULL,
            created_at TEXT NOT NULL,
            retired_at TEXT
        )"""
    )
    conn.execute(
        "CREATE UNIQUE INDEX person_keys_current ON person_keys (person) WHERE retired_at IS NULL"
    )
    conn.execute(
        """
        CREATE TABLE people_events (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL,
            event TEXT NOT NULL,
            at TEXT NOT NULL
        )"""
    )
    conn.execute("ALTER TABLE checkin_versions ADD COLUMN note_key INTEGER REFERENCES person_keys(id)")
    conn.execute("ALTER TABLE checkin_versions ADD COLUMN note_sealed BLOB")
    conn.execute("ALTER TABLE checkin_versions ADD COLUMN note_cek BLOB")
    conn.execute(
        "ALTER TABLE checkin_versions ADD COLUMN note_shared INTEGER NOT NULL DEFAULT 0 "
        "CHECK (note_shared IN (0, 1))"
    )
    conn.execute(
        """
        CREATE TABLE note_shares (
            version_id INTEGER NOT NULL REFERENCES checkin_versions(id),
            reader TEXT NOT NULL,
            reader_key INTEGER NOT NULL REFERENCES person_keys(id),
            wrapped_cek BLOB NOT NULL,
            PRIMARY KEY (version_id, reader)
        ) WITHOUT ROWID"""
    )
    # Everyone who already has a check-in or a personal ritual is a person, without a passphrase
    # until they choose one.
    conn.execute(
        "INSERT INTO people (name, created_at) "
        "SELECT person, min(saved_at) FROM ("
        "  SELECT person, saved_at FROM checkin_versions"
        "  UNION ALL SELECT person, saved_at FROM ritual_versions WHERE person != ''"
        ") GROUP BY person"
    )


def _v5_practices(conn: sqlite3.Connection) -> None:
    """The practices: agreements and "did we?", the repair log, consent lists, life events.

    Each keeps every saved version, like check-ins and rituals. What is private is stored only
    sealed for a person with a passphrase (``body`` stays NULL): a repair's words, with the key that
    opens them and who they are shared with; a whole consent list, as one sealed value per version
    (so the file does not even show which items a person answered); and, for each partner with a
    passphrase, the part of a list that partner may see, sealed for them alone (never a no)."""
    conn.execute(
        """
        CREATE TABLE agreement_versions (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9),
            text TEXT NOT NULL,
            dimension TEXT,
            ritual TEXT,
            active INTEGER NOT NULL CHECK (active IN (0, 1)),
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE agreements (
            month TEXT NOT NULL,
            number INTEGER NOT NULL,
            version_id INTEGER NOT NULL REFERENCES agreement_versions(id),
            PRIMARY KEY (month, number)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE agreement_answer_versions (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            number INTEGER NOT NULL,
            person TEXT NOT NULL CHECK (length(person) BETWEEN 1 AND 64),
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'partly', 'not yet')),
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE agreement_answers (
            month TEXT NOT NULL,
            number INTEGER NOT NULL,
            person TEXT NOT NULL,
            version_id INTEGER NOT NULL REFERENCES agreement_answer_versions(id),
            PRIMARY KEY (month, number, person)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE repair_versions (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL CHECK (length(person) BETWEEN 1 AND 64),
            day TEXT NOT NULL,
            number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9),
            happened TEXT NOT NULL,
            shared INTEGER NOT NULL CHECK (shared IN (0, 1)),
            active INTEGER NOT NULL CHECK (active IN (0, 1)),
            body TEXT,
            body_key INTEGER REFERENCES person_keys(id),
            body_sealed BLOB,
            body_cek BLOB,
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE repairs (
            person TEXT NOT NULL,
            day TEXT NOT NULL,
            number INTEGER NOT NULL,
            version_id INTEGER NOT NULL REFERENCES repair_versions(id),
            PRIMARY KEY (person, day, number)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX repairs_by_day ON repairs (day)")
    conn.execute(
        """
        CREATE TABLE repair_shares (
            version_id INTEGER NOT NULL REFERENCES repair_versions(id),
            reader TEXT NOT NULL,
            reader_key INTEGER NOT NULL REFERENCES person_keys(id),
            wrapped_cek BLOB NOT NULL,
            PRIMARY KEY (version_id, reader)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE consent_items (
            item TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE consent_versions (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL CHECK (length(person) BETWEEN 1 AND 64),
            body TEXT,
            body_key INTEGER REFERENCES person_keys(id),
            body_sealed BLOB,
            body_cek BLOB,
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE consent_lists (
            person TEXT PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES consent_versions(id)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE consent_signals (
            writer TEXT NOT NULL,
            reader TEXT NOT NULL,
            reader_key INTEGER NOT NULL REFERENCES person_keys(id),
            box BLOB NOT NULL,
            PRIMARY KEY (writer, reader)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE life_event_versions (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            words TEXT NOT NULL,
            active INTEGER NOT NULL CHECK (active IN (0, 1)),
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE life_events (
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            version_id INTEGER NOT NULL REFERENCES life_event_versions(id),
            PRIMARY KEY (day, kind)
        ) WITHOUT ROWID"""
    )


def _v6_who_reset(conn: sqlite3.Connection) -> None:
    """Who was signed in when something happened to a passphrase (``by``: NULL for nobody), and when
    the person it happened to was told (``told_at``: a reset is told at their next sign-in)."""
    conn.execute("ALTER TABLE people_events ADD COLUMN by TEXT")
    conn.execute("ALTER TABLE people_events ADD COLUMN told_at TEXT")
    # When a consent signal was written: one written before the partner last saved their list is
    # written anew at the writer's next sign-in (the partner may have chosen to show "not now").
    conn.execute("ALTER TABLE consent_signals ADD COLUMN written_at TEXT")
    # Resets recorded before this version are told too (their "by" is not known).


def _appreciations_and_weighing(conn: sqlite3.Connection) -> None:
    """Appreciations in words (each version kept; the words sealed for the writer like notes, and for
    the partner through ``appreciation_shares``; ``appreciation_seen``: when the partner was first shown
    one), and how life is weighing on a person, saved with the check-in (1 to 10, optional), shared
    with the partner only when its writer says so (``weighing_shared``)."""
    conn.execute(
        """
        CREATE TABLE appreciation_versions (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL CHECK (length(person) BETWEEN 1 AND 64),
            day TEXT NOT NULL,
            number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 99),
            body TEXT,
            body_key INTEGER REFERENCES person_keys(id),
            body_sealed BLOB,
            body_cek BLOB,
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE appreciations (
            person TEXT NOT NULL,
            day TEXT NOT NULL,
            number INTEGER NOT NULL,
            version_id INTEGER NOT NULL REFERENCES appreciation_versions(id),
            PRIMARY KEY (person, day, number)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX appreciations_by_day ON appreciations (day)")
    conn.execute(
        """
        CREATE TABLE appreciation_shares (
            version_id INTEGER NOT NULL REFERENCES appreciation_versions(id),
            reader TEXT NOT NULL,
            reader_key INTEGER NOT NULL REFERENCES person_keys(id),
            wrapped_cek BLOB NOT NULL,
            PRIMARY KEY (version_id, reader)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE appreciation_seen (
            person TEXT NOT NULL,
            day TEXT NOT NULL,
            number INTEGER NOT NULL,
            reader TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (person, day, number, reader)
        ) WITHOUT ROWID"""
    )
    conn.execute("ALTER TABLE checkin_versions ADD COLUMN weighing INTEGER CHECK (weighing BETWEEN 1 AND 10)")
    conn.execute("ALTER TABLE checkin_versions ADD COLUMN weighing_shared INTEGER NOT NULL DEFAULT 0 "
                 "CHECK (weighing_shared IN (0, 1))")


def _questions_of_the_week(conn: sqlite3.Connection) -> None:
    """The question of the week (reflect.storage.questions): each person's answers, every version kept,
    the words sealed for the writer like notes and, for the partner, through ``question_answer_shares``;
    the couple's depth with every change (never who asked); and each person's wishes (ready for deeper
    questions, slower please), sealed, in a table that names nobody."""
    conn.execute(
        """
        CREATE TABLE question_answer_versions (
            id INTEGER PRIMARY KEY,
            person TEXT NOT NULL CHECK (length(person) BETWEEN 1 AND 64),
            week TEXT NOT NULL,
            question TEXT NOT NULL,
            body TEXT,
            body_key INTEGER REFERENCES person_keys(id),
            body_sealed BLOB,
            body_cek BLOB,
            saved_at TEXT NOT NULL,
            source TEXT
        )"""
    )
    conn.execute(
        """
        CREATE TABLE question_answers (
            person TEXT NOT NULL,
            week TEXT NOT NULL,
            version_id INTEGER NOT NULL REFERENCES question_answer_versions(id),
            PRIMARY KEY (person, week)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX question_answers_by_week ON question_answers (week)")
    conn.execute(
        """
        CREATE TABLE question_answer_shares (
            version_id INTEGER NOT NULL REFERENCES question_answer_versions(id),
            reader TEXT NOT NULL,
            reader_key INTEGER NOT NULL REFERENCES person_keys(id),
            wrapped_cek BLOB NOT NULL,
            PRIMARY KEY (version_id, reader)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE question_depth (
            id INTEGER PRIMARY KEY,
            depth TEXT NOT NULL CHECK (depth IN ('light', 'deeper', 'deepest')),
            saved_at TEXT NOT NULL
        )"""
    )
    conn.execute(
        """
        CREATE TABLE question_wishes (
            id INTEGER PRIMARY KEY,
            epoch INTEGER NOT NULL,
            box BLOB,
            body TEXT,
            saved_at TEXT NOT NULL,
            CHECK ((box IS NULL) != (body IS NULL))
        )"""
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_checkins,
    _v2_source_and_month_index,
    _v3_rituals,
    _v4_people_and_keys,
    _v5_practices,
    _v6_who_reset,
    _appreciations_and_weighing,
    _questions_of_the_week,
]

#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)


def apply(conn: sqlite3.Connection, *, start: int, stop: int = SCHEMA_VERSION) -> None:
    """Run migrations ``start+1 .. stop`` on ``conn``, which must be inside a transaction."""
    for version in range(start + 1, stop + 1):
        MIGRATIONS[version - 1](conn)
        conn.execute(f"PRAGMA user_version = {version}")
