"""The practices' records: agreements and "did we?", the repair log, life events; their CSV formats
(parse, errors with file, line and column, round trip), their history, and the repair log's privacy
tried as the partner would (through the Store signed in, and the raw bytes of the file)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from reflect.domain import agreements, lifeevents, repairs
from reflect.domain.agreements import Agreement, AgreementAnswer
from reflect.domain.lifeevents import LifeEvent
from reflect.domain.repairs import Repair
from reflect.errors import ImportFileError, NotSignedIn, ValidationError
from reflect.storage import migrations
from reflect.storage.store import Store

from .helpers import store_bytes

pytestmark = pytest.mark.usefixtures("fast_keys")  # fast key derivation for these tests too

TODAY = dt.date(2026, 10, 20)
SECRET = "I was short with you about the dishes"


# -- agreements -----------------------------------------------------------------------------------


def test_an_agreement_is_for_this_month_or_the_next():
    a = Agreement.create(month="2026-11", text="  A walk after dinner on Sundays ", dimension="Experiential",
                         ritual="phone-free", today=TODAY)
    assert (a.month, a.number, a.text, a.dimension, a.ritual) == ("2026-11", 1, "A walk after dinner on Sundays",
                                                                 "experiential", "phone-free")
    with pytest.raises(ValidationError) as err:
        Agreement.create(month="2026-12", text="later", today=TODAY)
    assert err.value.field == "month" and "this month or the next" in str(err.value)
    for bad in ({"text": ""}, {"text": "x" * 201}, {"dimension": "romance"}, {"number": 0}, {"ritual": "Phone Free!"}):
        with pytest.raises(ValidationError) as err:
            Agreement.create(**{"month": "2026-10", "text": "ok", **bad}, today=TODAY)
        assert err.value.field == next(iter(bad))


def test_did_we_is_asked_once_the_month_has_begun():
    assert AgreementAnswer.create(month="2026-10", person="Robin", answer="Not-Yet", today=TODAY).answer == "not yet"
    with pytest.raises(ValidationError) as err:
        AgreementAnswer.create(month="2026-11", person="Robin", answer="yes", today=TODAY)
    assert "has not begun yet" in str(err.value)
    with pytest.raises(ValidationError) as err:
        AgreementAnswer.create(month="2026-10", person="Robin", answer="mostly", today=TODAY)
    assert "use yes, partly or not yet" in str(err.value)


def test_agreements_and_answers_keep_their_history(store):
    store.save_agreement(Agreement.create(month="2026-09", text="A walk on Sundays", today=TODAY))
    assert store.save_agreement(Agreement.create(month="2026-09", text="A walk on Sundays", today=TODAY)) == "unchanged"
    assert store.save_agreement(Agreement.create(month="2026-09", text="A long walk on Sundays",
                                                 today=TODAY)) == "updated"
    assert store.next_agreement_number("2026-09") == 2
    store.answer_agreement(AgreementAnswer.create(month="2026-09", person="Robin", answer="partly", today=TODAY))
    store.answer_agreement(AgreementAnswer.create(month="2026-09", person="Robin", answer="yes", today=TODAY))
    assert [a.text for _, _, a in store.agreement_history("2026-09")] == ["A walk on Sundays", "A long walk on Sundays"]
    assert [a for _, _, a in store.agreement_answer_history("2026-09", 1, "Robin")] == ["partly", "yes"]
    assert [(a.person, a.answer) for a in store.agreement_answers()] == [("Robin", "yes")]
    frame = store.agreement_frame()
    assert list(frame.columns) == ["month", "number", "text", "dimension", "ritual", "person", "answer"]
    # taken back: gone from the lists, kept in the history, no longer answerable
    store.save_agreement(Agreement.create(month="2026-09", text="A long walk on Sundays", active=False, today=TODAY))
    assert store.agreements() == [] and store.agreement_answers() == []
    assert len(store.agreement_history("2026-09")) == 3
    with pytest.raises(ValidationError) as err:
        store.answer_agreement(AgreementAnswer.create(month="2026-09", person="Sam", answer="yes", today=TODAY))
    assert "no agreement 1 for 2026-09 to answer" in str(err.value)


def test_a_protected_person_answers_only_signed_in(db_path):
    with Store(db_path) as s:
        s.add_person("Robin", "robin's words")
        s.sign_out()
        s.save_agreement(Agreement.create(month="2026-09", text="A walk", today=TODAY))
        with pytest.raises(NotSignedIn):
            s.answer_agreement(AgreementAnswer.create(month="2026-09", person="Robin", answer="yes", today=TODAY))
        assert s.agreement_answers() == []
        s.sign_in("Robin", "robin's words")
        assert s.answer_agreement(AgreementAnswer.create(month="2026-09", person="Robin", answer="yes",
                                                         today=TODAY)) == "added"


def test_agreements_csv_round_trip_and_errors():
    text = ("month,number,text,dimension,ritual,person,did_we\n"
            "2026-09,1,\"A walk, on Sundays\",experiential,phone-free,,\n"
            "2026-09,1,,,,Robin,yes\n2026-09,1,,,,Sam,not yet\n"
            "2026-10,1,Say one appreciation a day,,appreciation,,\n")
    found, answers = agreements.parse_agreements(text, "a.csv", today=TODAY)
    assert [a.key for a in found] == [("2026-09", 1), ("2026-10", 1)]
    assert [(r.person, r.answer) for r in answers] == [("Robin", "yes"), ("Sam", "not yet")]
    assert agreements.to_csv(found, answers) == text
    bad = ("month,number,text,dimension,ritual,person,did_we\n"
           "2026-09,1,,,,,\n"                       # an agreement without words
           "2026-09,2,Walk,,,Robin,yes\n"           # an answer with words
           "2026-08,1,,,,Sam,yes\n"                 # an answer to no agreement
           "2026-13,1,Walk,,,,\n")                  # no such month
    with pytest.raises(ImportFileError) as err:
        agreements.parse_agreements(bad, "a.csv", today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        "a.csv, line 2, column text: this cannot be empty (one small thing to try, in a few words)",
        "a.csv, line 3, column text: an answer row (with a person) leaves this empty",
        "a.csv, line 4, column number: there is no agreement 1 for 2026-08 to answer (in the file or the store)",
        "a.csv, line 5, column month: '2026-13' is not a month in the form YYYY-MM (for example 2026-10)",
    ]
    ok, _ = agreements.parse_agreements("month,number,text,dimension,ritual,person,did_we\n2026-08,1,,,,Sam,yes\n",
                                        "a.csv", known=[("2026-08", 1)], today=TODAY)
    assert ok == []


# -- repairs --------------------------------------------------------------------------------------


def repair(person="Robin", shared=False, day="2026-10-12", **kw):
    return Repair.create(person=person, day=day, happened=kw.pop("happened", "2026-10-10"),
                         topic=kw.pop("topic", "the dishes"), own=kw.pop("own", SECRET),
                         offer=kw.pop("offer", "a hug"), align=kw.pop("align", "we take turns"), shared=shared,
                         today=TODAY, **kw)


def test_a_repair_says_how_soon_and_checks_its_dates():
    r = repair()
    assert r.days_to_repair == 2 and r.key == ("Robin", "2026-10-12", 1)
    with pytest.raises(ValidationError) as err:
        repair(happened="2026-10-13")
    assert err.value.field == "happened" and "cannot come after the repair" in str(err.value)
    with pytest.raises(ValidationError) as err:
        repair(day="2026-10-21")
    assert err.value.field == "date"
    with pytest.raises(ValidationError) as err:
        repair(topic="")
    assert err.value.field == "topic"


def test_a_private_repair_is_the_writers_alone(couple_store, db_path):
    couple_store.sign_in("Robin", "robin's words")
    couple_store.save_repair(repair())
    couple_store.save_repair(repair(topic="Money again", day="2026-10-14", happened="2026-10-14"))
    couple_store.save_repair(repair(topic="money  AGAIN", day="2026-10-18", happened="2026-10-17"))
    assert couple_store.repair_topics("Robin") == [("money  AGAIN", 2), ("the dishes", 1)]
    couple_store.sign_out()
    couple_store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert SECRET.encode() not in store_bytes(db_path) and b"dishes" not in store_bytes(db_path)
    couple_store.sign_in("Sam", "sam's own words")
    seen = couple_store.repairs("Sam")
    assert [(r.person, r.day.isoformat(), r.body) for r in seen] == [
        ("Robin", "2026-10-12", None), ("Robin", "2026-10-14", None), ("Robin", "2026-10-18", None)]
    for attempt in (lambda: couple_store.repair_topics("Robin"),
                    lambda: couple_store.repair_history("Robin", "2026-10-12")):
        with pytest.raises(NotSignedIn):
            attempt()
    with pytest.raises(NotSignedIn):
        couple_store.repairs("Robin")  # asking as Robin needs Robin signed in
    frame = couple_store.repair_frame()
    assert list(frame["days"]) == [2, 0, 1] and "topic" not in frame.columns


def test_a_shared_repair_opens_for_the_partner_and_unsharing_closes_it(couple_store):
    couple_store.sign_in("Robin", "robin's words")
    couple_store.save_repair(repair(shared=True))
    couple_store.sign_out()
    couple_store.sign_in("Sam", "sam's own words")
    [seen] = couple_store.repairs("Sam")
    assert seen.body.own == SECRET and seen.body.topic == "the dishes"
    assert couple_store.repair_topics("Sam") == []  # topics are counted for their writer only
    couple_store.sign_out()
    couple_store.sign_in("Robin", "robin's words")
    couple_store.save_repair(repair(shared=False))
    assert [r.shared for _, _, r in couple_store.repair_history("Robin", "2026-10-12")] == [True, False]
    couple_store.sign_out()
    couple_store.sign_in("Sam", "sam's own words")
    assert couple_store.repairs("Sam")[0].body is None
    assert couple_store.connection.execute("SELECT count(*) FROM repair_shares").fetchone()[0] == 0


def test_repairs_written_before_a_passphrase_are_sealed_when_it_is_chosen(db_path):
    with Store(db_path) as s:
        s.add_person("Sam", None)
        s.save_repair(repair("Sam", shared=True))
        s.add_person("Robin", "robin's words")
        s.sign_out()
        s.set_passphrase("Sam", "sam's own words")
        s.sign_out()
        s.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert SECRET.encode() not in store_bytes(db_path)
        s.sign_in("Robin", "robin's words")  # Sam's shared repair reached Robin when Sam chose a passphrase
        assert s.repairs("Robin")[0].body.own == SECRET
        assert sqlite3.connect(db_path).execute("SELECT count(*) FROM repair_versions WHERE body IS NOT NULL"
                                                ).fetchone()[0] == 0


def test_repairs_csv_round_trip_and_errors():
    text = ("date,person,number,happened,topic,own,offer,align,shared\n"
            "2026-10-12,Robin,1,2026-10-10,the dishes,\"I'm sorry I snapped,\nreally\",a hug,we take turns,yes\n"
            "2026-10-12,Robin,2,,money,,,,no\n")
    found = repairs.parse_repairs(text, "r.csv", today=TODAY)
    assert [(r.number, r.days_to_repair, r.shared) for r in found] == [(1, 2, True), (2, 0, False)]
    assert repairs.to_csv(found) == text
    with pytest.raises(ImportFileError) as err:
        repairs.parse_repairs("date,person,number,happened,topic,own,offer,align,shared\n"
                              "2026-10-12,Robin,1,2026-10-13,x,,,,no\n2026-10-12,Robin,1,,y,,,,maybe\n"
                              ",Robin,1,,z,,,,\n", "r.csv", today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        "r.csv, line 2, column happened: the rupture (2026-10-13) cannot come after the repair (2026-10-12)",
        "r.csv, line 3, column shared: 'maybe' is not yes or no",
        "r.csv, line 4, column date: a date is required (YYYY-MM-DD)",
    ]


# -- life events ----------------------------------------------------------------------------------


def test_life_events_are_marked_changed_taken_back_and_kept(store):
    birth = LifeEvent.create(day="2025-03-14", kind="birth", words="Our baby, Ada", today=TODAY)
    assert store.mark_event(birth) == "added" and store.mark_event(birth) == "unchanged"
    assert store.mark_event(LifeEvent.create(day="2025-03-14", kind="Birth", words="Ada is born",
                                             today=TODAY)) == "updated"
    store.mark_event(LifeEvent.create(day="2025-09-01", kind="new job", words="Sam starts at the school",
                                      today=TODAY))
    assert [(e.kind, e.name) for e in store.life_events()] == [("birth", "the birth"), ("new-job", "the new job")]
    store.mark_event(LifeEvent.create(day="2025-09-01", kind="new-job", words="x", active=False, today=TODAY))
    assert [e.kind for e in store.life_events()] == ["birth"]
    assert [e.words for _, _, e in store.event_history("2025-03-14", "birth")] == ["Our baby, Ada", "Ada is born"]
    frame = store.event_frame()
    assert list(frame.columns) == ["day", "month", "kind", "words", "name"] and list(frame["month"]) == ["2025-03"]
    with pytest.raises(ValidationError) as err:
        LifeEvent.create(day="2026-10-21", words="tomorrow", today=TODAY)
    assert "in the future" in str(err.value)
    with pytest.raises(ValidationError) as err:
        LifeEvent.create(day="2026-10-01", kind="party", words="x", today=TODAY)
    assert "use one of birth, move, new-job, illness, loss, distance, other" in str(err.value)


def test_life_events_csv_round_trip_and_errors():
    text = "date,kind,words\n2025-03-14,birth,\"Ada, our baby\"\n2025-09-01,other,Sam's sister moves in\n"
    assert lifeevents.to_csv(lifeevents.parse_events(text, today=TODAY)) == text
    with pytest.raises(ImportFileError) as err:
        lifeevents.parse_events("date,kind,words\n2025-03-14,birth,\n2025-03-14,birth,x\n2025-03-14,birth,y\n",
                                "e.csv", today=TODAY)
    assert [str(p) for p in err.value.problems] == [
        "e.csv, line 2, column words: this cannot be empty (a few words to remember it by)",
        "e.csv, line 4, column kind: the same date and kind as line 3",
    ]
    with pytest.raises(ImportFileError) as err:
        lifeevents.parse_events("date,kind\n2025-03-14,birth\n", "e.csv", today=TODAY)
    assert "e.csv, line 1: missing column words (see `reflect event export`" in str(err.value)
    [event] = lifeevents.parse_events("date,words\n2025-03-14,x\n", "e.csv", today=TODAY)  # kind: optional
    assert event.kind == "other"


# -- the schema ------------------------------------------------------------------------------------


def test_a_schema_4_store_is_upgraded_to_the_newest_with_a_copy_kept(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    migrations.apply(conn, start=0, stop=4)
    conn.execute("COMMIT")
    conn.close()
    with Store(db_path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION  # the newest, whatever it is now
        assert s.agreements() == [] and s.life_events() == [] and s.consent_items()
    assert db_path.with_name(db_path.name + ".schema-v4.bak").exists()


def test_the_practices_make_a_store_hold_data_and_change_report_inputs(store):
    assert store.is_empty()
    store.mark_event(LifeEvent.create(day="2025-03-14", kind="birth", words="Ada", today=TODAY), source="demo")
    assert not store.is_empty() and not store.holds_own_data()
    before = store.report_inputs("2025-04-01")
    store.save_agreement(Agreement.create(month="2025-03", text="Sleep when the baby sleeps", today=TODAY))
    assert store.holds_own_data() and store.report_inputs("2025-04-01") != before
