"""Appreciations in words (issue 21, part 3): one line for the partner, sealed for its writer and for the
partner, delivered once as new when the partner signs in, and to nobody else; the day's ritual logged;
CSV round trip all or nothing; in the form, and in a phone's browser."""

from __future__ import annotations

import datetime as dt

import pytest

from reflect.analytics.appreciations import appreciation_counts, month_appreciations, this_month_last_year
from reflect.domain.appreciations import HEADER, Appreciation, parse_appreciations, to_csv
from reflect.errors import ImportFileError, NotSignedIn, ValidationError
from reflect.storage.importing import import_appreciations
from reflect.storage.store import Store
from reflect.views.widgets import CheckInForm

from .conftest import PASSPHRASES
from .helpers import CHROMIUM, TIMEOUT_MS, make_checkin, serve_app, sign_in, store_bytes

WORDS = "When you took the night shift, I slept and felt cared for"
TODAY = dt.date(2026, 10, 20)


def signed(store: Store, name: str) -> Store:
    store.sign_out()
    store.sign_in(name, PASSPHRASES.get(name))
    return store


@pytest.fixture
def couple(couple_store):
    couple_store.today = lambda: TODAY
    return couple_store


def test_delivered_once_and_only_to_the_partner(couple, db_path):
    signed(couple, "Robin")
    status, saved, logged = couple.appreciate("Robin", WORDS)
    assert (status, saved.to, saved.day, saved.number, logged) == ("added", "Sam", TODAY, 1, True)
    assert couple.new_appreciations("Robin") == []  # not the writer's own inbox
    assert [a.text for a in couple.appreciations("Robin")] == [WORDS]  # but theirs to reread
    couple.sign_out()
    with pytest.raises(NotSignedIn):  # not before signing in
        couple.new_appreciations("Sam")
    with pytest.raises(NotSignedIn):
        couple.appreciations("Sam")
    assert couple.signed_in_appreciations("2026-10") == []
    signed(couple, "Sam")
    (new,) = couple.new_appreciations("Sam")
    assert (new.person, new.text, new.new) == ("Robin", WORDS, True)
    assert couple.new_appreciations("Sam") == []  # once
    (kept,) = couple.appreciations("Sam")
    assert (kept.text, kept.new) == (WORDS, False)
    # the words are nowhere in the file: sealed for Robin, and for Sam
    assert WORDS.encode() not in store_bytes(db_path)
    assert b"night shift" not in store_bytes(db_path)


def test_a_stranger_reads_nothing(couple, db_path):
    signed(couple, "Robin")
    couple.appreciate("Robin", WORDS)
    couple.sign_out()
    with pytest.raises(ValidationError):  # a store is one couple: no third person to read it
        couple.add_person("Alex", "alex's own words")
    assert couple.person("Alex") is None
    with Store(db_path, passphrases_required=True) as afar:  # the home network, nobody signed in
        assert afar.appreciation_count() == {}
        assert afar.signed_in_appreciations("2026-10") == []
        with pytest.raises(NotSignedIn):
            afar.appreciations("Sam")
        with pytest.raises(NotSignedIn):
            afar.appreciate("Sam", "hello")
    # Sam signed in does not open what Robin wrote for Robin's eyes through another reader
    signed(couple, "Sam")
    assert couple.appreciation_history("Sam", TODAY) == []
    with pytest.raises(NotSignedIn):
        couple.appreciation_history("Robin", TODAY)


def test_writing_logs_the_days_ritual_unless_it_was_logged(couple):
    from reflect.domain.rituals import Ritual

    signed(couple, "Robin")
    couple.appreciate("Robin", WORDS)
    status, _, logged = couple.appreciate("Robin", "  when you took the NIGHT shift, i slept and felt cared for ")
    assert (status, logged) == ("unchanged", False)  # the same words once; the ritual once
    _, second, logged = couple.appreciate("Robin", "Thank you for the soup")
    assert (second.number, logged) == (2, False)
    assert [(r.person, r.day, r.kind) for r in couple.rituals()] == [("Robin", TODAY, "appreciation")]
    # logged before by hand: not logged again
    couple.log_ritual(Ritual.create(day=TODAY - dt.timedelta(days=1), kind="appreciation", person="Robin"))
    assert couple.appreciate("Robin", "The walk", day=TODAY - dt.timedelta(days=1))[2] is False
    assert len(couple.rituals()) == 2
    assert appreciation_counts(couple, "2026-10") == {"Robin": 3}


def test_bad_words_are_refused_and_nothing_is_saved(couple):
    signed(couple, "Robin")
    for bad, words in (("", "cannot be empty"), ("   ", "cannot be empty"), ("two\nlines", "one line"),
                       ("x" * 281, "at most 280 characters")):
        with pytest.raises(ValidationError) as caught:
            couple.appreciate("Robin", bad)
        assert words in caught.value.message and caught.value.field == "text"
    with pytest.raises(ValidationError, match="in the future"):
        couple.appreciate("Robin", WORDS, day=TODAY + dt.timedelta(days=1))
    assert couple.appreciations("Robin") == [] and couple.rituals() == []


def test_the_writer_must_be_signed_in(couple):
    with pytest.raises(NotSignedIn):
        couple.appreciate("Robin", WORDS)
    assert couple.appreciation_count() == {}


def test_a_partner_who_chooses_a_passphrase_later_reads_it_once_the_writer_signs_in_again(db_path, fast_keys):
    with Store(db_path) as store:
        store.today = lambda: TODAY
        store.add_person("Robin", PASSPHRASES["Robin"])
        store.add_person("Sam", None)
        store.appreciate("Robin", WORDS)
        store.sign_out()
        store.sign_in("Sam")
        form = CheckInForm(store, today=TODAY)
        form.who.value = "Sam"  # no passphrase: the form opens for Sam, and says one waits
        assert "1 more from Robin waits for you: sealed for now" in form.appreciation.news.value
        assert WORDS not in form.appreciation.news.value
        assert store.new_appreciations("Sam") == []  # sealed for Robin alone: it waits
        assert [a.text for a in store.appreciations("Sam")] == [None]
        store.set_passphrase("Sam", PASSPHRASES["Sam"])
        store.sign_out()
        signed(store, "Robin")  # Robin signs in: sealed for Sam's new key too
        signed(store, "Sam")
        assert [a.text for a in store.new_appreciations("Sam")] == [WORDS]
    assert WORDS.encode() not in store_bytes(db_path)


def test_words_written_without_a_passphrase_are_sealed_when_one_is_chosen(db_path, fast_keys):
    with Store(db_path) as store:
        store.today = lambda: TODAY
        store.add_person("Robin", None)
        store.add_person("Sam", PASSPHRASES["Sam"])
        store.sign_out()
        store.sign_in("Robin")
        store.appreciate("Robin", WORDS)
        store.set_passphrase("Robin", PASSPHRASES["Robin"])
        store.sign_out()
        signed(store, "Sam")
        assert [a.text for a in store.new_appreciations("Sam")] == [WORDS]
    assert WORDS.encode() not in store_bytes(db_path)


def test_a_report_with_both_signed_in_shows_the_month_and_last_year(couple):
    signed(couple, "Robin")
    couple.appreciate("Robin", WORDS)
    couple.appreciate("Robin", "A year ago: the picnic", day=dt.date(2025, 10, 5))
    signed(couple, "Sam")
    couple.appreciate("Sam", "Your laugh at breakfast")
    both = [("Robin", "Sam", WORDS), ("Sam", "Robin", "Your laugh at breakfast")]
    assert [(a["writer"], a["to"], a["text"]) for a in month_appreciations(couple, "2026-10")] == both
    couple.sign_in("Robin", PASSPHRASES["Robin"])  # both signed in, as a report with notes by both
    assert [(a["writer"], a["to"], a["text"]) for a in month_appreciations(couple, "2026-10")] == both
    assert [a["text"] for a in this_month_last_year(couple, "2026-10")] == ["A year ago: the picnic"]
    couple.sign_out()
    assert month_appreciations(couple, "2026-10") == []


def test_a_renamed_or_merged_name_keeps_its_appreciations_and_what_it_was_shown(store):
    store.today = lambda: TODAY
    store.add_person("Robin", None)
    store.add_person("Sma", None)
    store.appreciate("Robin", WORDS)
    store.sign_in("Sma")
    assert len(store.new_appreciations("Sma")) == 1
    store.rename_person("Sma", "Sam")
    store.sign_in("Sam")
    assert store.new_appreciations("Sam") == [] and [a.text for a in store.appreciations("Sam")] == [WORDS]
    with pytest.raises(ValidationError):  # a name with something saved is not removed: merged, if anything
        store.remove_person("Robin")


# -- CSV ----------------------------------------------------------------------------------------------


def test_csv_round_trip_is_exact_and_keeps_history(tmp_path, fast_keys):
    src = tmp_path / "in.csv"
    src.write_text(HEADER + "\n2026-10-01,Robin,1,\"The soup, and the note\"\n2026-10-01,Robin,2,=not a formula\n"
                   "2026-10-03,Sam,,Your patience\n", encoding="utf-8")
    db = tmp_path / "a.db"
    assert import_appreciations(src, db) == (3, 0, 0)
    assert import_appreciations(src, db) == (0, 0, 3)
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.sign_in(person)
        mine = [a for p in ("Robin", "Sam") for a in store.appreciations(p) if a.person == p]
        text = to_csv(mine)
    assert text == src.read_text(encoding="utf-8").replace(",,Your", ",1,Your")
    out = tmp_path / "out.csv"
    out.write_text(text, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    assert import_appreciations(out, fresh) == (3, 0, 0)
    changed = tmp_path / "changed.csv"
    changed.write_text(HEADER + "\n2026-10-03,Sam,1,Your patience with me\n", encoding="utf-8")
    assert import_appreciations(changed, fresh) == (0, 1, 0)
    with Store(fresh) as store:
        store.sign_in("Sam")
        assert [w for _, _, w in store.appreciation_history("Sam", "2026-10-03")] == [
            "Your patience", "Your patience with me"]


def test_a_bad_file_imports_nothing_and_says_where(tmp_path, couple_store, db_path):
    before = store_bytes(db_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n2026-10-01,Robin,1,Fine\n2026-10-01,Robin,1,Twice\n2026-10-02,Robin,x,Hm\n"
                   "2026-10-03,Robin,1,\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_appreciations(bad, db_path)
    said = [str(p) for p in caught.value.problems]
    assert said[0] == f"{bad}, line 3, column number: the same person, date and number as line 2"
    assert said[1].startswith(f"{bad}, line 4, column number: 'x' is not a number from 1 to 99")
    assert said[2].startswith(f"{bad}, line 5, column text: this cannot be empty")
    assert store_bytes(db_path) == before
    # a third name is refused before anything is written
    stranger = tmp_path / "stranger.csv"
    stranger.write_text(HEADER + "\n2026-10-01,Alex,1,Hello\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        import_appreciations(stranger, db_path)
    # a protected writer who does not sign in: refused, nothing written
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "\n2026-10-01,Robin,1,Fine\n", encoding="utf-8")
    with pytest.raises(NotSignedIn):
        import_appreciations(good, db_path)
    with Store(db_path) as store:
        assert store.appreciation_count() == {}


def test_parse_keeps_one_line_and_the_header_is_the_contract():
    assert HEADER == "date,person,number,text"
    (item,) = parse_appreciations("date,person,text\n2026-10-01,Robin,Thanks\n", today=TODAY)
    assert item == Appreciation("Robin", dt.date(2026, 10, 1), 1, "Thanks")


# -- the form -------------------------------------------------------------------------------------------


def test_in_the_form_one_sends_and_the_other_sees_it_on_signing_in(couple):
    form = CheckInForm(couple, today=TODAY)
    assert form.appreciation.widget.layout.display == "none"  # nobody yet
    form.who.value = "Robin"
    assert form.appreciation.widget.layout.display == "none"  # not before signing in
    form.passphrase.value = PASSPHRASES["Robin"]
    form.sign_in_button.click()
    assert form.appreciation.widget.layout.display is None and form.appreciation.news.value == ""
    form.appreciation.text.value = "two\nlines"
    form.appreciation.send_button.click()
    assert "one line" in form.appreciation.message.value and "Nothing was sent" in form.appreciation.message.value
    form.appreciation.text.value = WORDS
    form.appreciation.send_button.click()
    assert "Sent. Sam reads it when they next sign in." in form.appreciation.message.value
    assert form.appreciation.text.value == ""
    form.sign_out_button.click()
    assert form.appreciation.widget.layout.display == "none"
    form.who.value = "Sam"
    assert "New from Robin" not in form.appreciation.news.value  # locked: nothing shown yet
    form.passphrase.value = PASSPHRASES["Sam"]
    form.sign_in_button.click()
    assert "New from Robin" in form.appreciation.news.value and WORDS in form.appreciation.news.value
    form.appreciation.reread.click()
    assert WORDS in form.appreciation.listing.value and "From you" in form.appreciation.listing.value
    form.sign_out_button.click()
    form.who.value = "Sam"
    form.passphrase.value = PASSPHRASES["Sam"]
    form.sign_in_button.click()
    assert form.appreciation.news.value == ""  # once as new


# -- in a phone's browser ---------------------------------------------------------------------------------


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def couple_app(tmp_path, calendar, fast_keys):
    """`reflect app` over a store where Robin and Sam have passphrases and answered last month."""
    db = tmp_path / "couple.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.add_person(person, PASSPHRASES[person])
            store.save(make_checkin(person, calendar.first_of_last_month))
        store.sign_out()
    yield from serve_app(tmp_path, db)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_on_a_phone_robin_sends_and_sam_sees_it_on_signing_in(couple_app, browser):
    from playwright.sync_api import expect

    from .kernelwatch import caught_up, watch

    url, db = couple_app
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        watch(page)
        page.goto(url)
        sign_in(page, "Robin", PASSPHRASES["Robin"])
        box = page.locator(".reflect-appreciations")
        box.wait_for(state="visible")
        box.get_by_placeholder("What I appreciated about you").fill(WORDS)
        caught_up(page)
        box.locator("button:has-text('Send')").tap()
        expect(box).to_contain_text("Sam reads it when they next sign in", timeout=TIMEOUT_MS)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"] + 1  # nothing runs off a phone's screen
        page.locator("button:has-text('Sign out')").tap()
        box.wait_for(state="hidden")
        sign_in(page, "Sam", PASSPHRASES["Sam"])
        news = page.locator(".reflect-appreciations-new")
        expect(news).to_contain_text("New from Robin", timeout=TIMEOUT_MS)
        expect(news).to_contain_text(WORDS, timeout=TIMEOUT_MS)
    finally:
        context.close()
    assert WORDS.encode() not in store_bytes(db)


# -- on the command line, as a person runs it ----------------------------------------------------------


def test_the_command_line_sends_shows_once_lists_and_round_trips(couple_cli, passphrase_files, home, tmp_path,
                                                                 calendar):
    cli, robin, sam = couple_cli, passphrase_files["Robin"], passphrase_files["Sam"]
    db = home / "data" / "reflect.db"
    r = cli("appreciation", "add", WORDS, "-p", "Robin", "--passphrase-file", robin)
    assert r.returncode == 0, r
    assert r.stdout.strip() == ("Sent: Sam reads it when they next sign in. The day's appreciation ritual is "
                                "logged too.")
    assert WORDS.encode() not in store_bytes(db)
    r = cli("appreciation", "list", "--as", "Robin", "--passphrase-file", robin)
    assert r.returncode == 0 and "New from" not in r.stderr  # not the writer's own inbox
    assert r.stdout.splitlines() == ["From Sam", "  none yet", "From you", f"  {calendar.today.isoformat()}  "
                                     f"\u201c{WORDS}\u201d"]
    # Sam's first sign-in, whatever the command, shows it once, as new
    r = cli("appreciation", "list", "--as", "Sam", "--passphrase-file", sam)
    assert r.returncode == 0 and r.stderr.count("New from Robin") == 1 and WORDS in r.stderr, r
    assert f"\u201c{WORDS}\u201d" in r.stdout and "(new)" not in r.stdout
    again = cli("appreciation", "list", "--as", "Sam", "--passphrase-file", sam)
    assert "New from" not in again.stderr and WORDS in again.stdout
    # without signing in: refused, and a stranger's name is not in the store
    r = cli("appreciation", "list", "--as", "Sam", input="")
    assert r.returncode == 1 and "Sam has a passphrase" in r.stderr and WORDS not in r.stdout + r.stderr
    r = cli("appreciation", "list", "--as", "Alex")
    assert r.returncode == 2 and "there is no one called Alex" in r.stderr
    # export, import into a fresh store, export again: the same bytes
    out = tmp_path / "appreciations.csv"
    r = cli("appreciation", "export", str(out), "--passphrase-for", "Robin", robin, "--passphrase-for", "Sam", sam)
    assert r.returncode == 0, r
    assert out.read_text(encoding="utf-8").splitlines()[1].endswith(f',Robin,1,"{WORDS}"')  # it holds a comma
    fresh = tmp_path / "fresh.db"
    r = cli("appreciation", "import", str(out), "--db", str(fresh))
    assert r.returncode == 0 and r.stdout.strip().endswith("1 new, 0 updated, 0 unchanged."), r
    assert cli("appreciation", "export", "--db", str(fresh)).stdout == out.read_text(encoding="utf-8")


def test_the_command_line_refuses_bad_words_and_writes_nothing(couple_cli, passphrase_files, home, tmp_path):
    cli, robin = couple_cli, passphrase_files["Robin"]
    db = home / "data" / "reflect.db"
    before = store_bytes(db)
    r = cli("appreciation", "add", "   ", "-p", "Robin", "--passphrase-file", robin)
    assert r.returncode == 1 and r.stderr.strip().startswith("reflect: text: this cannot be empty"), r
    r = cli("appreciation", "add", "-p", "Robin", "--passphrase-file", robin)  # no TEXT, and nobody to ask
    assert r.returncode == 2 and "give the appreciation as TEXT" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n2026-10-01,Robin,1,Fine\n2026-10-02,Robin,1,\n", encoding="utf-8")
    r = cli("appreciation", "import", str(bad), "--passphrase-for", "Robin", robin)
    assert r.returncode == 1 and f"{bad}, line 3, column text: this cannot be empty" in r.stderr
    assert store_bytes(db) == before
    with Store(db) as store:
        assert store.appreciation_count() == {} and store.rituals() == []
