"""The monthly report: the real notebook run by papermill, and `reflect report` run as a user runs it."""

import html as html_lib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from reflect.storage.demo import generate
from reflect.storage.store import Store

from .helpers import ARTIFACTS, CHROMIUM, REFLECT_BIN, ROOT, chromium, make_checkin

NOTEBOOK = ROOT / "notebooks" / "monthly_report.ipynb"
PAPERMILL = Path(sys.executable).with_name("papermill")
SECTIONS = ["The month at a glance", "What stands out, and what might help", "How it is, and how you would like it",
            "Over time", "Your rhythm", "This month last year"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "couple.db"
    with Store(path) as s:
        s.save_many(generate(end="2026-10"), source="demo")
    return path


@pytest.fixture(scope="module")
def made(demo_db, tmp_path_factory):
    """One report of the demo couple's October 2026, made by `reflect report`."""
    out = tmp_path_factory.mktemp("reports")
    # a locale whose paper is A4, whatever the developer's own LC_PAPER, LANG or LC_ALL
    env = {**os.environ, "LC_ALL": "", "LC_PAPER": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"}
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(demo_db), "--month", "2026-10", "--out", str(out),
                           "--pdf"], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_plain_papermill_runs_the_notebook(demo_db, tmp_path):
    out = tmp_path / "out.ipynb"
    proc = subprocess.run([str(PAPERMILL), str(NOTEBOOK), str(out), "-p", "month", "2026-10", "-p", "db", str(demo_db)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "October 2026" in html and "Dear Robin and Sam," in html
    assert html.count("<svg") == 3  # wishes, each dimension over time, passion against intimacy
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in html


@pytest.mark.parametrize(
    "args, message",
    [
        (["-p", "month", "2026-13"], "month: '2026-13' is not a month in the form YYYY-MM"),
        (["-p", "month", "2026"], "2026 is not a month in the form YYYY-MM (pass it as text"),
        (["-p", "month", "2019-01"], "there are no check-ins in 2019-01"),
        (["-p", "include_notes", "perhaps"], "include_notes: 'perhaps' is not true or false"),
        (["-p", "db", "/nowhere/us.db"], "/nowhere/us.db: no such store"),
    ],
)
def test_papermill_with_a_wrong_parameter_says_what_was_wrong(demo_db, tmp_path, args, message):
    full = ["-p", "db", str(demo_db), *args] if "db" not in args else args
    proc = subprocess.run([str(PAPERMILL), str(NOTEBOOK), str(tmp_path / "out.ipynb"), *full],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode != 0
    assert message in proc.stderr


def test_the_report_files_are_private(made):
    out, proc = made
    for name in ("2026-10.ipynb", "2026-10.html", "2026-10.pdf"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    assert f"Made {out / '2026-10.html'} (and .pdf)" in proc.stdout
    assert (out / "2026-10.pdf").read_bytes().startswith(b"%PDF")


def test_the_report_reads_like_a_letter_with_every_section(made):
    html = (made[0] / "2026-10.html").read_text(encoding="utf-8")
    assert "<title>Reflect: October 2026</title>" in html
    assert "Dear Robin and Sam," in html
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in html
    assert html.count('<figure class="chart">') == 3
    assert "Until next month" in html


def test_the_report_has_no_code_and_no_private_notes(made):
    html = (made[0] / "2026-10.html").read_text(encoding="utf-8")
    assert "MonthlyReport" not in html and "report.opening()" not in html and "include_notes =" not in html
    assert 'class="jp-InputArea' not in html and "highlight hl-ipython3" not in html
    assert "notebook-only" not in html and "papermill notebooks/monthly_report.ipynb" not in html
    with Store(_db_of(made)) as s:
        notes = [c.note for c in s.checkins(month="2026-10") if c.note]
    assert notes and not any(n in html for n in notes)
    assert "Private notes are left out." in html


def _db_of(made):
    nb = json.loads((made[0] / "2026-10.ipynb").read_text())
    return nb["metadata"]["papermill"]["parameters"]["db"]


def test_the_report_loads_nothing_from_outside_the_file(made):
    html = (made[0] / "2026-10.html").read_text(encoding="utf-8")
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert all(r.startswith(("#", "data:")) for r in refs), refs
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html)
    assert "@import" not in html
    assert "<script" not in html
    assert "default-src 'none'" in html  # and the page forbids it, should anything slip in


def test_the_report_renders_offline_in_chromium(made):
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup --test installs it)")
    html = made[0] / "2026-10.html"
    outside = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 1400})

        def block(route):
            if route.request.url.startswith("file://"):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        page.route("**/*", block)
        page.goto(html.as_uri())
        area = "els => els.map(e => e.getBoundingClientRect().width * e.getBoundingClientRect().height)"
        sizes = page.eval_on_selector_all("figure.chart svg", area)
        count = "els => els.map(e => e.querySelectorAll('path, rect, line').length)"
        marks = page.eval_on_selector_all("figure.chart svg", count)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert outside == []
    assert len(sizes) == 3 and all(s > 10_000 for s in sizes), sizes
    assert all(m > 10 for m in marks), marks


def test_include_notes_puts_the_notes_in(demo_db, tmp_path):
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(demo_db), "-m", "2026-10", "--out", str(tmp_path),
                           "--include-notes"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "2026-10.html").read_text(encoding="utf-8")
    assert "<h2>In your own words</h2>" in html
    assert "Private notes are included" in html


def test_batch_skips_unchanged_months_and_remakes_changed_ones(tmp_path):
    db = tmp_path / "us.db"
    with Store(db) as s:
        for m in ("2026-08", "2026-09", "2026-10"):
            s.save(make_checkin("Ana", f"{m}-01", passion=6))
    out = tmp_path / "out"

    def run(*extra):
        proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(db), "--all", "--out", str(out), *extra],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    first = run()
    assert first.count("Made ") == 3 and "3 made, 0 skipped (unchanged), 0 failed" in first
    second = run()
    assert second.count("Skipped ") == 3 and "0 made, 3 skipped" in second
    with Store(db) as s:
        s.save(make_checkin("Ana", "2026-09-01", passion=9))  # September changed: October depends on it too
    third = run()
    assert "Skipped " + str(out / "2026-08.html") in third
    assert "Made " + str(out / "2026-09.html") in third and "Made " + str(out / "2026-10.html") in third
    assert "3 made, 0 skipped" in run("--force")


def test_batch_over_several_stores_goes_on_past_a_broken_one(tmp_path, demo_db):
    good = tmp_path / "good.db"
    with Store(good) as s:
        s.save(make_checkin("Ana", "2026-10-01"))
    broken = tmp_path / "broken.db"
    broken.write_text("not a database")
    out = tmp_path / "out"
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(broken), "--db", str(good), "--all",
                           "--out", str(out), "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert (out / "good" / "2026-10.html").exists()
    assert not (out / "broken").exists() or not any((out / "broken").iterdir())
    assert "1 made, 0 skipped (unchanged), 1 failed" in proc.stderr
    assert "broken.db is not a Reflect store" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-13"], "reflect report: Invalid value for '--month' / '-m': '2026-13' is not a month"),
        (["--month", "2019-01"], "there are no check-ins in 2019-01"),
        (["--db", "/nowhere/us.db"], "/nowhere/us.db: no such store"),
        (["--month", "2026-10", "--all"], "use either --month or --all"),
    ],
)
def test_bad_report_input_is_one_clear_line(demo_db, tmp_path, args, message):
    full = args if "--db" in args else ["--db", str(demo_db), *args]
    proc = subprocess.run([str(REFLECT_BIN), "report", "--out", str(tmp_path / "out"), *full],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("reflect")


def test_an_output_folder_that_cannot_be_written(demo_db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(demo_db), "--out", str(blocker / "sub")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "cannot create the output folder" in proc.stderr


def test_pdf_without_chromium_is_a_clear_error(demo_db, tmp_path):
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(demo_db), "--out", str(tmp_path), "--pdf"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 1
    assert "PDF reports need Chromium" in proc.stderr
    assert (tmp_path / "2026-10.html").exists()


def test_the_default_report_uses_the_demo_until_there_is_data(cli, home):
    r = cli("report")
    assert r.returncode == 0, r
    assert (home / "reports").is_dir()
    [html] = (home / "reports" / "demo").glob("*.html")
    assert "the demo couple" in html.read_text(encoding="utf-8")
    assert "showing the demo couple" in r.stderr


def test_the_rhythm_section_shows_rituals_and_what_they_go_with(tmp_path):
    from reflect.storage.demo import fill

    db = tmp_path / "demo.db"
    with Store(db) as s:
        fill(s, end="2026-10")
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(db), "-m", "2026-10", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "2026-10.html").read_text(encoding="utf-8")
    assert "<h3>Rituals</h3>" in html and "A phone-free ritual: 3 of 4 weeks" in html
    assert html.count('<figure class="chart">') == 4
    assert "Your rituals, day by day" in html
    assert "<h3>Do your rituals go with how you feel?</h3>" in html
    assert "emotional intimacy averaged" in html and "not proof that one causes the other" in html


def test_a_new_ritual_remakes_the_report(tmp_path):
    from reflect.domain.rituals import Ritual

    db = tmp_path / "us.db"
    with Store(db) as s:
        s.save(make_checkin("Ana", "2026-10-01"))
    out = tmp_path / "out"
    cmd = [str(REFLECT_BIN), "report", "--db", str(db), "--all", "--out", str(out)]
    assert "Made" in subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    html = (out / "2026-10.html").read_text(encoding="utf-8")
    assert "No rituals logged yet" in html
    assert "Skipped" in subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    with Store(db) as s:
        s.log_ritual(Ritual.create(day="2026-10-04", kind="hug"))
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    assert "Made" in again
    assert "A long hug: 1 of 31 days" in (out / "2026-10.html").read_text(encoding="utf-8")


def test_stores_with_the_same_file_name_get_folders_of_their_own(tmp_path):
    for couple, passion in (("c1", 3), ("c2", 9)):
        (tmp_path / couple).mkdir()
        with Store(tmp_path / couple / "reflect.db") as s:
            s.save(make_checkin("Ana", "2026-10-01", passion=passion))
    out = tmp_path / "out"
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(tmp_path / "c1" / "reflect.db"),
                           "--db", str(tmp_path / "c2" / "reflect.db"), "--db", str(tmp_path / "c2" / "reflect.db"),
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "2 made, 0 skipped" in proc.stdout
    assert "<td>3.0</td>" in (out / "c1-reflect" / "2026-10.html").read_text(encoding="utf-8")
    assert "<td>9.0</td>" in (out / "c2-reflect" / "2026-10.html").read_text(encoding="utf-8")


def test_a_pdf_is_never_left_older_than_its_page(tmp_path):
    db = tmp_path / "us.db"
    with Store(db) as s:
        s.save(make_checkin("Ana", "2026-10-01", passion=7))
    out = tmp_path / "out"
    base = [str(REFLECT_BIN), "report", "--db", str(db), "--month", "2026-10", "--out", str(out)]
    assert subprocess.run([*base, "--pdf"], capture_output=True, timeout=300).returncode == 0
    first_pdf = (out / "2026-10.pdf").read_bytes()
    with Store(db) as s:
        s.save(make_checkin("Ana", "2026-10-01", passion=2))
    assert subprocess.run(base, capture_output=True, timeout=300).returncode == 0  # no --pdf this time
    assert (out / "2026-10.pdf").read_bytes() != first_pdf  # printed again with the page
    assert (out / "2026-10.pdf").stat().st_mtime >= (out / "2026-10.ipynb").stat().st_mtime
    again = subprocess.run([str(REFLECT_BIN), "report", "--db", str(db), "--all", "--pdf", "--out", str(out)],
                           capture_output=True, text=True, timeout=300)
    assert "Skipped" in again.stdout


def test_one_failing_report_is_one_line(tmp_path, demo_db):
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(demo_db), "--month", "2019-01",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert proc.stderr.startswith("reflect: ") and "there are no check-ins in 2019-01" in proc.stderr


def test_papermill_shows_the_message_not_a_traceback(demo_db, tmp_path):
    proc = subprocess.run([str(PAPERMILL), str(NOTEBOOK), str(tmp_path / "out.ipynb"), "-p", "month", "2026-13",
                           "-p", "db", str(demo_db)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode != 0
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    [error] = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    message = "ValidationError: month: '2026-13' is not a month in the form YYYY-MM (for example 2026-10)"
    assert error.traceback == [message]


def test_a_partner_without_last_month_is_named_under_the_change_chart(tmp_path):
    db = tmp_path / "us.db"
    with Store(db) as s:
        s.save(make_checkin("Ana", "2026-09-01"))
        s.save(make_checkin("Ana", "2026-10-01", passion=8))
        s.save(make_checkin("Ben", "2026-08-01"))  # Ben began in August, and missed September
        s.save(make_checkin("Ben", "2026-10-01"))
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(db), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "out" / "2026-10.html").read_text(encoding="utf-8")
    assert "Ben did not check in in September, so there is nothing to compare with." in html
    from reflect.reporting.report import MonthlyReport

    with Store(":memory:") as s:
        s.save_many([make_checkin("Ana", "2026-09-01"), make_checkin("Ana", "2026-10-01"),
                     make_checkin("Ben", "2026-10-01")])
        first = MonthlyReport(s.frame(), "2026-10")
    assert "did not check in" not in str(first.at_a_glance())  # Ben's first month: nothing was missed


def _store_with(path, passion):
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store(path) as s:
        s.save(make_checkin("Ana", "2026-10-01", passion=passion))
    return path


def test_each_store_has_a_report_folder_of_its_own_by_default(tmp_path):
    from reflect.reporting.publish import FOLDER_MARKER

    home = tmp_path / "home"
    env = {**__import__("os").environ, "REFLECT_HOME": str(home)}
    env.pop("REFLECT_DB", None)
    a = _store_with(tmp_path / "a" / "us.db", 3)
    b = _store_with(tmp_path / "b" / "us.db", 9)

    def report(*dbs):
        args = [x for d in dbs for x in ("--db", str(d))]
        proc = subprocess.run([str(REFLECT_BIN), "report", "--month", "2026-10", *args],
                              capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    # one couple's cron job, then the other's: B's report never replaces A's
    assert str(home / "reports" / "us" / "2026-10.html") in report(a)
    assert str(home / "reports" / "b-us" / "2026-10.html") in report(b)
    assert "<td>3.0</td>" in (home / "reports" / "us" / "2026-10.html").read_text(encoding="utf-8")
    assert "<td>9.0</td>" in (home / "reports" / "b-us" / "2026-10.html").read_text(encoding="utf-8")
    # stable whatever the order of --db, and each folder says whose it is
    assert "0 made, 2 skipped" in report(b, a)  # the same folders: nothing to remake
    assert sorted(p.name for p in (home / "reports").iterdir()) == ["b-us", "us"]
    assert (home / "reports" / "us" / FOLDER_MARKER).read_text().strip() == str(a.resolve())
    assert stat.S_IMODE((home / "reports" / "us" / FOLDER_MARKER).stat().st_mode) == 0o600


def test_folder_names_do_not_depend_on_the_order_of_the_stores(tmp_path):
    from reflect.reporting.publish import report_folders

    stores = [tmp_path / "x" / "reflect.db", tmp_path / "y" / "reflect.db", tmp_path / "z" / "other.db"]
    first = report_folders(stores, tmp_path / "out")
    second = report_folders(list(reversed(stores)), tmp_path / "out")
    assert first == second
    assert {p.name for p in first.values()} == {"x-reflect", "y-reflect", "other"}


def test_an_html_page_missing_beside_its_notebook_is_remade(tmp_path):
    db = _store_with(tmp_path / "us.db", 7)
    out = tmp_path / "out"
    cmd = [str(REFLECT_BIN), "report", "--db", str(db), "--all", "--out", str(out)]
    assert "Made" in subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    (out / "2026-10.html").unlink()  # the notebook is there, its page is not
    assert "Made" in subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    (out / "2026-10.html").write_text("<p>a page from another run</p>")
    assert "Made" in subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    assert "Skipped" in subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout


# -- a report that says only what the data can hold --------------------------------------------


def _report_of(tmp_path, checkins, month):
    from reflect.reporting.report import MonthlyReport

    db = tmp_path / "us.db"
    with Store(db) as s:
        s.save_many(checkins)
    return MonthlyReport.open(month, str(db))


def _text(section) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(section.html if hasattr(section, "html") else section)))


def test_three_months_are_too_early_for_a_trend(tmp_path):
    months = ["2026-08", "2026-09", "2026-10"]
    report = _report_of(tmp_path, [make_checkin("Ana", f"{m}-01", spiritual=s) for m, s in zip(months, (9, 6, 3),
                                                                                              strict=True)], "2026-10")
    words = _text(report.over_time())
    assert "Ana: too early to say how things are moving" in words
    assert "at least four of the last six months, and there are three so far" in words
    assert "a month)" not in words and "falling" not in words and "dipping" not in words


def test_the_rest_steady_only_when_something_is_left(tmp_path):
    months = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    everything = dict.fromkeys(["passion", "emotional", "physical", "intellectual", "experiential", "spiritual"])
    rising = [make_checkin("Ana", f"{m}-01", **{k: 3 + i for k in everything}) for i, m in enumerate(months)]
    one = [make_checkin("Ben", f"{m}-01", spiritual=9 - i) for i, m in enumerate(months)]
    words = _text(_report_of(tmp_path, rising + one, "2026-10").over_time())
    [ana] = re.findall(r"Ana, over the last six months: [^.]*\.\d[^.]*(?:\.\d[^.]*)*\.", words)
    assert "the rest steady" not in ana and ana.count("rising (+1.0 a month)") == 7  # six and the index
    assert "the intimacy index rising (+1.0 a month)" in ana
    assert "Ben, over the last six months: spiritual intimacy dipping (\u22121.0 a month); the rest steady;" in words
    four = _text(_report_of(tmp_path / "four", rising[2:], "2026-10").over_time())
    assert "Ana, over the last six months (four with check-ins): passion rising" in four


def test_the_letter_leads_with_three_findings_and_lists_the_rest(demo_db):
    from reflect.analytics import insights
    from reflect.reporting.report import MonthlyReport

    report = MonthlyReport.open("2025-03", str(demo_db))  # a month with more to say than three things
    rest = [f for f in report.findings if not report.is_good_news(f)]
    assert len(rest) > insights.LEAD_FINDINGS
    html = str(report.what_might_help())
    assert html.count('<div class="finding') == insights.LEAD_FINDINGS
    more = html.split("<h3>More to notice</h3>", 1)[1].split("</ul>", 1)[0]
    assert more.count("<li>") == len(rest) - insights.LEAD_FINDINGS
    ranks = [insights.ORDER.index(f.kind) for f in report.findings]
    assert ranks == sorted(ranks)
    cover = html_lib.unescape(str(report.cover()))
    assert all(f.text in cover for f in report.findings if report.is_good_news(f) and f.kind != "in_step")


def test_findings_are_ranked_by_what_matters_most():
    from reflect.analytics.insights import Insight, ranked

    found = [Insight("strongest", "s"), Insight("change", "small", weight=1.2), Insight("streak", "k"),
             Insight("unmet_needs", "u", weight=3), Insight("change", "big", weight=2.5), Insight("support", "care")]
    assert [i.text for i in ranked(found)] == ["care", "u", "big", "small", "k", "s"]


def test_numbers_read_the_same_everywhere():
    from reflect.analytics.phrases import score, signed

    assert [score(6), score(6.25), score(-0.04), signed(3), signed(-0.46), signed(0.04)] == [
        "6.0", "6.2", "0.0", "+3.0", "\u22120.5", "0.0"]


def _pages(pdf: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(pdf).pages]


def test_the_pdf_is_a_cover_and_at_most_four_pages_more_none_nearly_empty(made):
    import pypdf

    out, _ = made
    reader = pypdf.PdfReader(out / "2026-10.pdf")
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4, as the locale says
    pages = _pages(out / "2026-10.pdf")
    assert len(pages) <= 5, len(pages)
    cover = pages[0]
    for part in ("Dear Robin and Sam", "Your year", "Good news", "To talk about", "One thing to try"):
        assert part in cover
    assert "The month at a glance" not in cover and "The month at a glance" in pages[1]  # the cover stands alone
    words = [len(text.split()) for text in pages]
    assert min(words[:-1]) >= 150, words  # no page but the last less than half full (a page of prose holds ~500)
    assert "Until next month" in pages[-1]


def test_paper_follows_the_locale_or_the_option(demo_db, tmp_path):
    from reflect.reporting.publish import paper_for_locale

    assert paper_for_locale({"LANG": "en_US.UTF-8"}) == "letter"
    assert paper_for_locale({"LANG": "en_US.UTF-8", "LC_PAPER": "de_DE.UTF-8"}) == "a4"  # LC_PAPER before LANG
    assert paper_for_locale({"LC_ALL": "fr_CA.UTF-8", "LANG": "de_DE.UTF-8"}) == "letter"
    assert paper_for_locale({"LANG": "en_GB.UTF-8"}) == paper_for_locale({"LANG": "C.UTF-8"}) == "a4"
    assert paper_for_locale({}) == "a4"
    import pypdf

    env = {**os.environ, "LC_ALL": "", "LC_PAPER": "en_GB.UTF-8", "LANG": "en_GB.UTF-8"}  # A4: --paper decides
    base = [str(REFLECT_BIN), "report", "--db", str(demo_db), "--month", "2026-10", "--pdf"]
    proc = subprocess.run([*base, "--out", str(tmp_path / "a"), "--paper", "letter"], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    letter = pypdf.PdfReader(tmp_path / "a" / "2026-10.pdf")
    box = letter.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US Letter
    assert len(letter.pages) <= 5  # the shorter page holds the letter in five too
    bad = subprocess.run([*base, "--out", str(tmp_path / "b"), "--paper", "A5"], capture_output=True, text=True,
                         timeout=60, env=env)
    assert bad.returncode == 2 and "A5" in bad.stderr and not (tmp_path / "b").exists()
