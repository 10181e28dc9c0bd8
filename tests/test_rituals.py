"""The ritual log: the same guarantees as check-ins."""

import datetime as dt
import sqlite3

import pytest

from reflect.domain.rituals import DEFAULT_KINDS, HEADER, Ritual, parse_rituals, to_csv
from reflect.errors import ImportFileError, ValidationError
from reflect.storage import migrations
from reflect.storage.store import Store

from .helpers import make_checkin

KNOWN = {k.key: k.cadence for k in DEFAULT_KINDS}


def test_the_catalogue_matches_the_rhythm():
    cadences = {k.key: k.cadence for k in DEFAULT_KINDS}
    assert cadences == {"appreciation": "daily", "hug": "daily", "check-in": "daily", "phone-free": "weekly",
                        "special-evening": "monthly", "keepsake": "monthly"}
    assert HEADER == "date,person,kind,cadence,note"


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        (dict(day="2026-13-01", kind="hug"), "date", "not a real date"),
        (dict(day="2026-10-01", kind=""), "kind", "a ritual kind is required"),
        (dict(day="2026-10-01", kind="Long hug!"), "kind", "is not a ritual kind"),
        (dict(day="2026-10-01", kind="hug", person="x" * 65), "person", "at most 64 characters"),
    ],
)
def test_bad_rituals(kwargs, field, words):
    with pytest.raises(ValidationError, match=words) as err:
        Ritual.create(**kwargs)
    assert err.value.field == field


def test_together_is_an_empty_person():
    assert Ritual.create(day="2026-10-01", kind="hug").person == ""
    assert Ritual.create(day="2026-10-01", kind="hug", person="").person == ""


def test_a_person_named_both_or_together_logs_personal_rituals(store):
    from reflect.domain.rituals import person_word

    for name in ("Both", "Together"):
        r = Ritual.create(day="2026-10-01", kind="hug", person=name)
        assert r.person == name
        assert store.log_ritual(r) == "added"
        assert person_word(r.person) != person_word("")
    store.log_ritual(Ritual.create(day="2026-10-01", kind="hug"))
    assert sorted(r.person for r in store.rituals()) == ["", "Both", "Together"]
    assert [r.person for r in store.rituals(person="")] == [""]
    assert Ritual.create(day="2026-10-01", kind="HUG", person=" Sam ").key == ("Sam", "2026-10-01", "hug")


def test_log_update_take_back_and_history(store):
    hug = Ritual.create(day="2026-10-03", kind="hug")
    assert store.log_ritual(hug, source="cli") == "added"
    assert store.log_ritual(hug) == "unchanged"
    assert store.log_ritual(Ritual.create(day="2026-10-03", kind="hug", note="in the rain")) == "updated"
    assert store.log_ritual(Ritual.create(day="2026-10-03", kind="hug", done=False)) == "updated"
    assert store.rituals() == []
    assert len(store.rituals(include_taken_back=True)) == 1
    history = store.ritual_history(None, "2026-10-03", "hug")
    assert [(r.note, r.done) for _, _, r in history] == [(None, True), ("in the rain", True), (None, False)]


def test_an_unknown_kind_needs_a_cadence_which_adds_it(store):
    with pytest.raises(ValidationError, match="unknown ritual kind 'walk'; give its cadence"):
        store.log_ritual(Ritual.create(day="2026-10-03", kind="walk"))
    assert store.rituals() == []
    store.log_ritual(Ritual.create(day="2026-10-03", kind="walk"), cadence="weekly")
    assert store.ritual_kinds()["walk"].cadence == "weekly"
    with pytest.raises(ValidationError, match="walk is a weekly ritual, not daily"):
        store.add_ritual_kind("walk", "daily")
    with pytest.raises(ValidationError, match="hug is a daily ritual, not monthly"):
        store.add_ritual_kind("hug", "monthly")


def test_logging_many_is_all_or_nothing(store):
    good = Ritual.create(day="2026-10-03", kind="hug")
    bad = Ritual.create(day="2026-10-04", kind="mystery")
    with pytest.raises(ValidationError, match="mystery"):
        store.log_rituals([good, bad])
    assert store.rituals() == []
    with pytest.raises(ValidationError, match="logged twice"):
        store.log_rituals([good, good])


def test_ritual_frame(store):
    store.log_rituals([Ritual.create(day="2026-10-01", kind="phone-free"),
                       Ritual.create(day="2026-10-02", kind="hug", person="Sam")])
    df = store.ritual_frame()
    assert list(df.columns) == ["day", "month", "week", "person", "kind", "cadence"]
    assert df.iloc[0].week == dt.datetime(2026, 9, 28) and df.iloc[0].cadence == "weekly"
    assert df.iloc[1].person == "Sam"


def test_an_older_store_gains_the_ritual_log(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    migrations.apply(conn, start=0, stop=2)
    conn.execute("COMMIT")
    conn.close()
    with Store(db_path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION >= 3
        s.log_ritual(Ritual.create(day="2026-10-03", kind="hug"))
        assert len(s.rituals()) == 1


def _error(text):
    with pytest.raises(ImportFileError) as err:
        parse_rituals(text, "r.csv", KNOWN)
    return str(err.value)


@pytest.mark.parametrize(
    "row, expected",
    [
        ("2026-02-30,,hug,,", "r.csv, line 3, column date: '2026-02-30' is not a real date"),
        ("2026-10-02,,walk,,", "r.csv, line 3, column kind: unknown ritual kind 'walk'; give its cadence"),
        ("2026-10-02,,hug,weekly,", "r.csv, line 3, column cadence: hug is a daily ritual, not weekly"),
        ("2026-10-02,,walk,yearly,", "r.csv, line 3, column cadence: 'yearly' is not a cadence"),
        ("2026-10-01,,hug,,", "r.csv, line 3, column date: the same ritual, person and day as line 2"),
        ("2026-10-02,,hug,", "r.csv, line 3: expected 5 fields, found 4"),
    ],
)
def test_bad_rows_name_file_line_and_column(row, expected):
    text = HEADER + "\n2026-10-01,,hug,,\n" + row + "\n"
    assert _error(text).startswith(expected)


def test_bad_header():
    assert _error("date,person,note\n").startswith(
        "r.csv, line 1: missing column kind (see `reflect ritual export` or the README for the full header)")


def test_csv_round_trip_and_new_kinds(store):
    text = (HEADER + "\n2026-10-01,,hug,,\n2026-10-02,Sam,walk,weekly,\"by the river, slowly\"\n"
            "2026-10-09,Sam,walk,,\n")
    rituals, added = parse_rituals(text, "r.csv", KNOWN)
    assert added == {"walk": "weekly"} and len(rituals) == 3
    store.log_rituals(rituals, new_kinds=added)
    kinds = {k.key: k.cadence for k in store.ritual_kinds().values()}
    out = to_csv(store.rituals(), kinds)
    assert out == text.replace("walk,,", "walk,weekly,").replace("hug,,", "hug,daily,")
    with Store(":memory:") as fresh:
        again, new = parse_rituals(out, "out.csv", {k.key: k.cadence for k in DEFAULT_KINDS})
        fresh.log_rituals(again, new_kinds=new)
        assert to_csv(fresh.rituals(), {k.key: k.cadence for k in fresh.ritual_kinds().values()}) == out
        assert fresh.log_rituals(again).unchanged == 3


def test_demo_store_with_rituals_is_still_demo_only(store):
    from reflect.storage.demo import fill

    fill(store, end="2026-10")
    assert store.holds_only_demo()
    assert len(store.rituals()) > 300
    store.log_ritual(Ritual.create(day="2026-10-03", kind="hug", person="Sam"))
    assert not store.holds_only_demo()


# -- the CLI --------------------------------------------------------------------------------------


def test_cli_ritual_round_trip(cli, home, tmp_path):
    assert cli("ritual", "add", "hug", "-d", "2026-10-03").stdout.strip() == "Logged hug on 2026-10-03 (together)."
    r = cli("ritual", "add", "walk", "-d", "2026-10-04")
    assert r.returncode == 1
    assert r.stderr.strip() == ("reflect: kind: unknown ritual kind 'walk'; give its cadence (daily, weekly or "
                                "monthly) to add it")
    assert cli("ritual", "add", "walk", "-c", "weekly", "-d", "2026-10-04", "--note", "river").returncode == 0
    assert cli("ritual", "add", "appreciation", "-p", "Sam", "-d", "2026-10-05").returncode == 0
    listed = cli("ritual", "list", "-m", "2026-10").stdout
    assert "2026-10-04  walk" in listed and "In 2026-10, against each ritual's rhythm: " in listed
    assert "walk 1 of 4" in listed
    assert "walk             weekly" in cli("ritual", "kinds").stdout
    exported = cli("ritual", "export").stdout
    assert exported.splitlines() == [HEADER, "2026-10-03,,hug,daily,", "2026-10-04,,walk,weekly,river",
                                     "2026-10-05,Sam,appreciation,daily,"]
    path = tmp_path / "r.csv"
    path.write_text(exported)
    fresh = tmp_path / "fresh.db"
    r = cli("ritual", "import", str(path), "--db", str(fresh))
    assert r.stdout.strip() == f"Imported 3 rituals and 1 new kind from {path}: 3 new, 0 updated, 0 unchanged."
    assert cli("ritual", "export", "--db", str(fresh)).stdout == exported
    assert cli("ritual", "add", "hug", "-d", "2026-10-03", "--undo").stdout.startswith("Took back hug")
    assert "taken back" in cli("ritual", "history", "hug", "-d", "2026-10-03").stdout


def test_cli_bad_ritual_import_writes_nothing(cli, home, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n2026-10-01,,hug,,\n2026-10-02,,hug,,\n2026-13-01,,hug,,\n")
    r = cli("ritual", "import", str(bad))
    assert r.returncode == 1
    assert r.stderr.strip() == (f"reflect: {bad}, line 4, column date: '2026-13-01' is not a real date (month must "
                                "be in 1..12); nothing was imported")
    assert not (home / "data" / "reflect.db").exists()  # a failed import creates no store
    assert "no such store" in cli("ritual", "export").stderr


def test_every_ritual_command_has_help(cli):
    from reflect.cli import ritual

    for name in ritual.commands:
        r = cli("ritual", name, "--help")
        assert r.returncode == 0 and f"Usage: reflect ritual {name}" in r.stdout


def test_checkins_and_rituals_live_side_by_side(store):
    store.save(make_checkin())
    store.log_ritual(Ritual.create(day="2026-10-01", kind="hug"))
    assert store.count() == 1 and len(store.rituals()) == 1
