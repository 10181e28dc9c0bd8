import pytest

from reflect.domain.csvio import COLUMNS, HEADER, parse_checkins, read_checkins, to_csv
from reflect.errors import ImportFileError
from reflect.storage.store import Store

from .helpers import make_checkin

CONTRACT = (
    "date,person,cadence,passion,emotional,physical,intellectual,experiential,spiritual,"
    "desired_passion,desired_emotional,desired_physical,desired_intellectual,desired_experiential,"
    "desired_spiritual,note"
)
ROW = "2026-10-01,Robin,monthly,6,7,5,8,6,7,8,,9,,,,"


def test_the_header_is_the_contract():
    assert HEADER == CONTRACT
    assert len(COLUMNS) == 16


def test_notes_with_commas_quotes_and_newlines_round_trip():
    c = make_checkin(note='We said "yes", then\nwe laughed, a lot.\r\nThe end')
    text = to_csv([c])
    assert text.startswith(CONTRACT + "\n")
    assert parse_checkins(text) == [c]


def test_empty_cadence_means_monthly_and_dates_are_normalised():
    text = CONTRACT + "\n2026-10-17,Robin,,6,7,5,8,6,7,,,,,,,\n2026-10-17,Robin,weekly,6,7,5,8,6,7,,,,,,,\n"
    monthly, weekly = parse_checkins(text)
    assert (monthly.cadence, monthly.period_start.isoformat()) == ("monthly", "2026-10-01")
    assert (weekly.cadence, weekly.period_start.isoformat()) == ("weekly", "2026-10-12")


def test_a_byte_order_mark_and_blank_lines_are_fine(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + CONTRACT + "\r\n" + ROW + "\r\n\r\n").encode("utf-8"))
    [c] = read_checkins(path)
    assert c.desired["passion"] == 8 and c.desired["physical"] == 9 and c.desired["emotional"] is None


def test_columns_may_come_in_another_order():
    cols = CONTRACT.split(",")
    values = ROW.split(",")
    order = list(reversed(range(len(cols))))
    text = ",".join(cols[i] for i in order) + "\n" + ",".join(values[i] for i in order) + "\n"
    assert parse_checkins(text) == parse_checkins(CONTRACT + "\n" + ROW + "\n")


def _error(text, name="in.csv"):
    with pytest.raises(ImportFileError) as err:
        parse_checkins(text, name)
    return str(err.value)


@pytest.mark.parametrize(
    "row, expected",
    [
        ("2026-10-01,Robin,monthly,6,7,5,8,6,11,,,,,,,",
         "in.csv, line 3, column spiritual: 11 is out of range: ratings go from 1 to 10"),
        ("2026-10-01,Robin,monthly,6,7,5,8,6,seven,,,,,,,",
         "in.csv, line 3, column spiritual: 'seven' is not a whole number from 1 to 10"),
        ("2026-10-01,Robin,monthly,6,7,5,8.5,6,7,,,,,,,",
         "in.csv, line 3, column intellectual: '8.5' is not a whole number from 1 to 10"),
        ("2026-10-01,Robin,monthly,6,7,5,8,,7,,,,,,,",
         "in.csv, line 3, column experiential: a rating from 1 to 10 is required"),
        ("2026-10-01,Robin,monthly,6,7,5,8,6,7,0,,,,,,",
         "in.csv, line 3, column desired_passion: 0 is out of range"),
        ("2026-02-30,Robin,monthly,6,7,5,8,6,7,,,,,,,",
         "in.csv, line 3, column date: '2026-02-30' is not a real date"),
        ("30/10/2026,Robin,monthly,6,7,5,8,6,7,,,,,,,",
         "in.csv, line 3, column date: '30/10/2026' is not a date in the form YYYY-MM-DD"),
        ("2026-10-01,Robin,fortnightly,6,7,5,8,6,7,,,,,,,",
         "in.csv, line 3, column cadence: 'fortnightly' is not a cadence; use one of monthly, weekly, daily"),
        ("2026-10-01,  ,monthly,6,7,5,8,6,7,,,,,,,",
         "in.csv, line 3, column person: a name is required (it cannot be empty)"),
        ("2026-10-01,Robin,monthly,6,7,5,8,6,7,,,,,,",
         "in.csv, line 3: expected 16 fields, found 15"),
        ("2026-10-20,Sam,,6,7,5,8,6,7,,,,,,,",
         "in.csv, line 3, column date: same person, cadence and period as line 2 (Sam, monthly, 2026-10-01)"),
    ],
)
def test_every_bad_row_names_file_line_and_column(row, expected):
    text = CONTRACT + "\n2026-10-01,Sam,monthly,6,7,5,8,6,7,,,,,,,\n" + row + "\n"
    message = _error(text)
    assert message.startswith(expected)
    assert message.endswith("nothing was imported")


def test_line_numbers_count_lines_inside_quoted_notes():
    text = CONTRACT + '\n2026-09-01,Sam,,6,7,5,8,6,7,,,,,,,"two\nlines\nhere"\n2026-10-01,Sam,,6,7,5,8,6,77,,,,,,,\n'
    assert _error(text).startswith("in.csv, line 5, column spiritual")


def test_all_problems_are_counted():
    text = CONTRACT + "\n" + "\n".join(f"2026-{m:02d}-01,Sam,,6,7,5,8,6,0,,,,,,," for m in range(1, 5)) + "\n"
    with pytest.raises(ImportFileError) as err:
        parse_checkins(text, "in.csv")
    assert len(err.value.problems) == 4
    assert "(and 3 more problems)" in str(err.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "in.csv, line 1: the file is empty"),
        (CONTRACT.replace(",spiritual,", ",") + "\n",
         "in.csv, line 1: missing column spiritual (see `reflect export` or the README for the full header)"),
        (CONTRACT + ",mood\n", "in.csv, line 1: unknown column mood"),
        (CONTRACT + ",note\n", "in.csv, line 1: column note appears twice"),
        (CONTRACT + '\n2026-10-01,Sam,,6,7,5,8,6,7,,,,,,,"unclosed\n', "in.csv, line 2: unreadable CSV"),
    ],
)
def test_bad_files(text, expected):
    assert _error(text).startswith(expected)


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((CONTRACT + "\n" + "2026-10-01,Zoë,,6,7,5,8,6,7,,,,,,,\n").encode("latin-1"))
    with pytest.raises(ImportFileError, match=r"latin1.csv, line 2: the file is not UTF-8"):
        read_checkins(path)


def test_a_missing_file(tmp_path):
    with pytest.raises(ImportFileError, match="cannot read the file"):
        read_checkins(tmp_path / "missing.csv")


def test_export_import_export_gives_the_same_bytes(tmp_path):
    from reflect.storage.demo import generate

    with Store(tmp_path / "a.db") as a:
        a.save_many(generate(seed=3, end="2026-10", people=("Robin", "Zoë, \"Z\"")))
        a.save(make_checkin(person="Zoë, \"Z\"", note="comma, \"quote\"\nnewline"))
        first = to_csv(a.checkins())
    with Store(tmp_path / "b.db") as b:
        b.save_many(parse_checkins(first))
        second = to_csv(b.checkins())
        assert second == first
        # importing the same file again changes nothing and adds no history
        versions = b.version_count()
        result = b.save_many(parse_checkins(second))
        assert (result.added, result.updated, result.unchanged) == (0, 0, b.count())
        assert b.version_count() == versions
