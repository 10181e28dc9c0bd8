"""Consent and pacing: yes / not now / no, each person's own, and a "no" never revealed to the partner.

Every rule is tried as the partner would try to break it: through the Store signed in as
themselves, through the raw bytes of the file (and its history), and through every way the lists
come out (the shared view, exports, error messages). The CLI, the report and the form are tried
in tests/test_practices_cli.py, tests/test_practices_report.py and tests/test_practices_form.py.
"""

from __future__ import annotations

import sqlite3

import pytest

from reflect.domain import consent
from reflect.domain.consent import NO, NOT_NOW, YES, ConsentList, Visible, shared_view, visible_to_partner
from reflect.errors import ImportFileError, NotSignedIn, ValidationError
from reflect.storage import keys
from reflect.storage.store import Store

from .helpers import store_bytes

pytestmark = pytest.mark.usefixtures("fast_keys")  # fast key derivation for these tests too

WEEKEND, MONEY, BED, HUGS = ("A weekend away, just the two of us", "Talking about money",
                             "Trying something new in bed", "Hugs in public")
#: What only Robin knows: Robin's "no" to this item, and Robin's private words.
ROBINS_NO = BED


def lst(person, show_not_now=False, **answers):
    items = {WEEKEND: answers.get("weekend"), MONEY: answers.get("money"), BED: answers.get("bed"),
             HUGS: answers.get("hugs")}
    return ConsentList.create(person=person, answers=items, show_not_now=show_not_now)


def save_as(store, person, passphrase, answers):
    store.sign_in(person, passphrase)
    try:
        return store.save_consent(answers)
    finally:
        store.sign_out(person)


def shared_as(store, person, passphrase):
    store.sign_in(person, passphrase)
    try:
        return store.consent_shared(person)
    finally:
        store.sign_out(person)


# -- the rules, pure ------------------------------------------------------------------------------


def test_answers_are_parsed_kindly():
    assert [consent.parse_consent_answer(a) for a in ("Yes", "not-now", "NOT NOW", "no", "green", "Red")] == [
        YES, NOT_NOW, NOT_NOW, NO, YES, NO]
    with pytest.raises(ValidationError) as err:
        consent.parse_consent_answer("maybe")
    assert "use yes, not now or no" in str(err.value)


def test_what_a_partner_may_see_never_holds_a_no():
    robin = lst("Robin", weekend="yes", money="not now", bed="no")
    assert visible_to_partner(robin) == Visible(yes=frozenset({consent.item_key(WEEKEND)}))
    shown = visible_to_partner(lst("Robin", show_not_now=True, weekend="yes", money="not now", bed="no"))
    assert shown.not_now == frozenset({consent.item_key(MONEY)}) and consent.item_key(BED) not in str(shown.as_dict())


def test_a_no_looks_exactly_like_no_answer():
    """Whatever Sam answers, the shared view is the same whether Robin said no or never answered."""
    items = [WEEKEND, MONEY, BED, HUGS]
    for show in (False, True):
        for sam_answer in ("yes", "not now", "no", None):
            sam = visible_to_partner(lst("Sam", show_not_now=True, bed=sam_answer))
            said_no = visible_to_partner(lst("Robin", show_not_now=show, bed="no"))
            silent = visible_to_partner(lst("Robin", show_not_now=show))
            assert shared_view(sam, said_no, items) == shared_view(sam, silent, items)
            assert shared_view(said_no, sam, items) == shared_view(silent, sam, items)


def test_the_shared_view_is_the_same_for_both_and_shows_not_now_only_if_both_wish():
    items = [WEEKEND, MONEY, BED, HUGS]
    robin = lst("Robin", show_not_now=True, weekend="yes", money="not now", bed="no", hugs="yes")
    sam = lst("Sam", show_not_now=False, weekend="yes", money="yes", bed="yes", hugs="not now")
    a, b = visible_to_partner(robin), visible_to_partner(sam)
    assert shared_view(a, b, items) == shared_view(b, a, items) == [(WEEKEND, YES)]
    sam_too = visible_to_partner(lst("Sam", show_not_now=True, weekend="yes", money="yes", bed="yes", hugs="not now"))
    assert shared_view(a, sam_too, items) == shared_view(sam_too, a, items) == [
        (WEEKEND, YES), (MONEY, NOT_NOW), (HUGS, NOT_NOW)]


# -- the store, as each partner --------------------------------------------------------------------


def test_each_sees_only_what_both_said_yes_to(couple_store):
    save_as(couple_store, "Robin", "robin's words", lst("Robin", weekend="yes", money="yes", bed="no", hugs="not now"))
    save_as(couple_store, "Sam", "sam's own words", lst("Sam", weekend="yes", money="no", bed="yes", hugs="yes"))
    robin = shared_as(couple_store, "Robin", "robin's words")
    sam = shared_as(couple_store, "Sam", "sam's own words")
    assert [(s.partner, s.known, s.items) for s in robin] == [("Sam", True, ((WEEKEND, YES),))]
    assert [(s.partner, s.known, s.items) for s in sam] == [("Robin", True, ((WEEKEND, YES),))]


def test_not_now_is_shown_only_when_both_wish(couple_store):
    save_as(couple_store, "Robin", "robin's words", lst("Robin", show_not_now=True, weekend="yes", hugs="not now"))
    save_as(couple_store, "Sam", "sam's own words", lst("Sam", weekend="yes", hugs="yes"))
    assert shared_as(couple_store, "Sam", "sam's own words")[0].items == ((WEEKEND, YES),)
    save_as(couple_store, "Sam", "sam's own words", lst("Sam", show_not_now=True, weekend="yes", hugs="yes"))
    # Robin's "not now" was never sealed for Sam before both chose to show it: it reaches Sam once
    # Robin's kit knows that Sam shows too, at Robin's next sign-in.
    assert shared_as(couple_store, "Sam", "sam's own words")[0].items == ((WEEKEND, YES),)
    assert shared_as(couple_store, "Robin", "robin's words")[0].items == ((WEEKEND, YES), (HUGS, NOT_NOW))
    assert shared_as(couple_store, "Sam", "sam's own words")[0].items == ((WEEKEND, YES), (HUGS, NOT_NOW))


def test_a_list_is_read_and_changed_only_by_its_person(couple_store):
    save_as(couple_store, "Robin", "robin's words", lst("Robin", bed="no"))
    couple_store.sign_in("Sam", "sam's own words")
    for attempt in (lambda: couple_store.consent_list("Robin"), lambda: couple_store.consent_history("Robin"),
                    lambda: couple_store.consent_shared("Robin"),
                    lambda: couple_store.save_consent(lst("Robin", bed="yes"))):
        with pytest.raises(NotSignedIn) as err:
            attempt()
        assert str(err.value).startswith("Robin has a passphrase: sign in as Robin first")
    couple_store.sign_out()
    couple_store.sign_in("Robin", "robin's words")
    assert couple_store.consent_list("Robin").answers == {BED: NO}


def test_answers_change_any_time_and_the_history_is_the_persons_alone(couple_store):
    save_as(couple_store, "Robin", "robin's words", lst("Robin", bed="no"))
    save_as(couple_store, "Robin", "robin's words", lst("Robin", bed="not now"))
    assert save_as(couple_store, "Robin", "robin's words", lst("Robin", bed="not now")) == "unchanged"
    couple_store.sign_in("Robin", "robin's words")
    assert [v[2].answers[BED] for v in couple_store.consent_history("Robin")] == [NO, NOT_NOW]


def test_the_file_holds_no_answer_no_item_answered_and_no_count(couple_store, db_path):
    save_as(couple_store, "Robin", "robin's words", lst("Robin", weekend="yes", money="yes", bed="no"))
    save_as(couple_store, "Robin", "robin's words", lst("Robin", weekend="yes", money="no", bed="no"))
    save_as(couple_store, "Sam", "sam's own words", lst("Sam", weekend="yes"))
    couple_store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = store_bytes(db_path)
    for secret in (b'"no"', b"not now", BED.encode(), MONEY.encode(), b'"answers"'):
        assert secret not in raw, secret
    # another local user reading the file with SQLite sees sealed bytes, and signals of one size
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM consent_versions WHERE body IS NOT NULL").fetchone()[0] == 0
    sizes = {len(r[0]) for r in conn.execute("SELECT box FROM consent_signals")}
    assert len(sizes) == 1, sizes  # padded: Robin's one yes and Sam's one yes, two nos: no telling


def test_the_partners_key_does_not_open_a_list(couple_store, db_path):
    """Sam, signed in, with Sam's own keys, tries to open Robin's sealed list straight from the file."""
    save_as(couple_store, "Robin", "robin's words", lst("Robin", bed="no"))
    couple_store.sign_in("Sam", "sam's own words")
    sam_key = couple_store._keys["Sam"][1]  # the partner's own keys, as an attacker with the file would have them
    row = couple_store.connection.execute("SELECT * FROM consent_versions WHERE person = 'Robin'").fetchone()
    box = keys.SealedNote(sealed=row["body_sealed"], wrapped_cek=row["body_cek"])
    with pytest.raises(Exception):  # noqa: B017 - any failure to open is the point (InvalidTag)
        keys.open_note(sam_key, box, context=f"consent|Robin|{row['id']}")
    # and the signal Robin left for Sam holds the yes items only
    signal = couple_store.connection.execute("SELECT box FROM consent_signals WHERE writer = 'Robin'").fetchone()[0]
    opened = keys.open_sealed_for(sam_key, signal, context="consent signal|Robin", reader="Sam").decode()
    assert "bed" not in opened.lower() and '"yes": []' in opened


def test_a_partner_who_chooses_a_passphrase_later_sees_the_shared_list_after_the_other_signs_in(db_path):
    with Store(db_path) as s:
        s.add_person("Robin", "robin's words")
        s.add_person("Sam", None)  # no passphrase yet
        s.save_consent(lst("Sam", weekend="yes", bed="no"))  # plain, like Sam's notes
        s.sign_in("Robin", "robin's words")
        s.save_consent(lst("Robin", weekend="yes", money="yes"))
        assert s.consent_shared("Robin")[0].items == ((WEEKEND, YES),)  # Sam's list is open: computed here
        s.sign_out()
        waiting = s.consent_shared("Sam")[0]
        assert not waiting.known and "passphrase" in waiting.why and not waiting.items
        s.set_passphrase("Sam", "sam's own words")  # Sam's plain list is sealed now
        assert b"weekend away" not in store_bytes(db_path).lower()
        assert not s.consent_shared("Sam")[0].known  # Robin has not signed in since
        s.sign_out()
        s.sign_in("Robin", "robin's words")  # leaves Sam what Sam may see
        s.sign_out()
        assert shared_as(s, "Sam", "sam's own words")[0].items == ((WEEKEND, YES),)
        assert shared_as(s, "Robin", "robin's words")[0].items == ((WEEKEND, YES),)


def test_a_reset_passphrase_takes_back_what_partners_saw(couple_store):
    save_as(couple_store, "Robin", "robin's words", lst("Robin", weekend="yes"))
    save_as(couple_store, "Sam", "sam's own words", lst("Sam", weekend="yes"))
    couple_store.reset_passphrase("Robin", "robin's new words")
    couple_store.sign_out()
    assert not shared_as(couple_store, "Sam", "sam's own words")[0].known
    couple_store.sign_in("Robin", "robin's new words")
    assert couple_store.consent_list("Robin") is None  # sealed for ever under the forgotten passphrase


def test_items_of_the_couples_own_are_shared_and_case_does_not_make_a_new_one(couple_store):
    assert couple_store.consent_items()[: len(consent.STARTING_ITEMS)] == list(consent.STARTING_ITEMS)
    assert couple_store.add_consent_item("  Dancing in the kitchen ") == "Dancing in the kitchen"
    assert couple_store.add_consent_item("dancing IN the kitchen") == "Dancing in the kitchen"
    assert couple_store.add_consent_item("talking about MONEY") == MONEY
    assert couple_store.consent_items()[-1] == "Dancing in the kitchen"
    couple_store.sign_in("Sam", "sam's own words")
    couple_store.save_consent(ConsentList.create(person="Sam", answers={"hugs IN public": "yes", "Karaoke": "no"}))
    assert couple_store.consent_list("Sam").answers == {HUGS: YES, "Karaoke": NO}
    assert "Karaoke" in couple_store.consent_items()
    with pytest.raises(ValidationError):
        couple_store.add_consent_item("two\nlines")


# -- CSV ------------------------------------------------------------------------------------------


def test_csv_round_trip_and_errors_say_where(tmp_path):
    text = ("person,item,answer\nRobin,Hugs in public,yes\nRobin,\"Talking about money, openly\",not now\n"
            "Sam,Hugs in public,no\n")
    lists = consent.parse_consent(text, "c.csv")
    assert consent.to_csv(lists) == text
    assert consent.to_csv(consent.parse_consent(consent.to_csv(lists))) == consent.to_csv(lists)
    with pytest.raises(ImportFileError) as err:
        consent.parse_consent("person,item,answer\nRobin,Hugs,maybe\nRobin,hugs,yes\n,Hugs,yes\n", "c.csv")
    problems = [str(p) for p in err.value.problems]
    assert problems[0] == "c.csv, line 2, column answer: this is not an answer; use yes, not now or no"
    assert problems[1] == "c.csv, line 4, column person: a name is required (it cannot be empty)"
    with pytest.raises(ImportFileError) as err:
        consent.parse_consent("person,item,answer\nRobin,Hugs,yes\nRobin,HUGS,no\n", "c.csv")
    assert "line 3, column item: the same person and item as line 2" in str(err.value)
    assert "nothing was imported" in str(err.value)
