"""How fast `reflect app` opens: port-open time, address-to-usable-form time, memory after many loads.

Drives Debian's Chromium with Playwright against the kit's own app server (``AppServer``, exactly
what ``reflect app`` starts) on a temporary store with two people and a month of history.

- **port open**: from starting the server until its port accepts a connection;
- **kernels ready**: from starting the server until the kernels it keeps ready wait for a visitor
  (seen in ``/proc``: each holds a connection to the server);
- **first load, at once**: a new browser (empty cache) opens the address as soon as the port is open;
- **first load, ready**: another new browser opens it once the kernels are ready again;
- **returning loads**: that browser opens the address again later (its cache holds the page's
  scripts), each time after closing the page before;
- **usable form**: the person picker is visible and enabled, and the first slider is drawn;
- **memory**: the resident memory (RSS) of the server and all its kernels after 1, 10, 25 and 50
  page loads (each page closed before the next), and the number of kernels alive.

The goal is at most 1 s from address to usable form. Run:
    .venv/bin/python benchmarks/app_speed.py            # 5 rounds, 50 loads for memory
    .venv/bin/python benchmarks/app_speed.py --rounds 2 --loads 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from reflect.domain.checkin import CheckIn, add_months, month_of, month_start
from reflect.domain.dimensions import KEYS
from reflect.servers.app import AppServer
from reflect.storage.store import Store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PICKER = "Pick your name, or type a new one"
#: How long a returning person is away before coming back (lets the server refill what it keeps ready).
AWAY_S = 4.0
GOAL_S = 1.0


def seed(db: Path) -> None:
    last = month_start(add_months(month_of(dt.date.today()), -1))
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.save(CheckIn.create(person=person, date=last, scores=dict.fromkeys(KEYS, 6)))


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children.get(p, []))
    return seen


def tree_rss(pid: int) -> tuple[float, int]:
    """The resident memory (MiB) of ``pid`` and all its descendants, and how many descendants."""
    seen = tree(pid)
    total = 0
    for p in seen:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024, len(seen) - 1


def waiting_kernels(pid: int, port: int) -> int:
    """How many children of server ``pid`` hold an open TCP connection to its ``port``: the kernels
    made ahead of time, waiting for a visitor (Voila's ``wait_for_request``)."""
    with open(f"/proc/{pid}/net/tcp") as f:
        to_port = {row.split()[9] for row in f.read().splitlines()[1:]
                   if row.split()[3] == "01" and int(row.split()[2].split(":")[1], 16) == port}
    count = 0
    for child in tree(pid)[1:]:
        try:
            fds = [os.readlink(f"/proc/{child}/fd/{fd}") for fd in os.listdir(f"/proc/{child}/fd")]
        except OSError:
            continue
        count += any(fd.startswith("socket:[") and fd[8:-1] in to_port for fd in fds)
    return count


def until_ready(server: AppServer, kernels: int, timeout: float = 120.0) -> None:
    assert server.process is not None
    deadline = time.monotonic() + timeout
    while waiting_kernels(server.process.pid, server.port) < kernels:
        if time.monotonic() > deadline:
            raise SystemExit(f"the kernels were not ready within {timeout:.0f} s")
        time.sleep(0.05)


def open_form(context, url: str) -> float:
    """Open ``url`` in a new page of ``context``; seconds until the form is usable. Closes the page."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_default_timeout(120_000)
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    picker = page.get_by_placeholder(PICKER)
    expect(picker).to_be_visible(timeout=120_000)
    expect(picker).to_be_enabled(timeout=120_000)
    page.locator(".noUi-handle").first.wait_for(state="visible")
    took = time.perf_counter() - started
    page.close(run_before_unload=True)  # as a person closing the tab: the page says goodbye to its kernel
    return took


def median_line(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<34} {'-':>8}"
    return (f"{name:<34} {statistics.median(values):>7.2f}s  (min {min(values):.2f}, max {max(values):.2f}, "
            f"n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="servers started (each: port, first load, returns)")
    parser.add_argument("--returns", type=int, default=3, help="returning loads per round")
    parser.add_argument("--loads", type=int, default=50, help="page loads for the memory figure (0: skip)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from reflect.servers.kernels import POOL_SIZE

    ports, readies, at_once, firsts, returns = [], [], [], [], []
    memory: list[tuple[int, float, int]] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        db = Path(tmp) / "bench.db"
        seed(db)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(args.rounds):
            server = AppServer(db)
            Store(server.store).close()  # what start() does first, outside the timing
            started = time.perf_counter()
            server.start()
            ports.append(time.perf_counter() - started)
            try:
                context = browser.new_context()
                at_once.append(open_form(context, server.url))
                context.close()
                until_ready(server, POOL_SIZE)
                context = browser.new_context()
                firsts.append(open_form(context, server.url))
                for _ in range(args.returns):
                    time.sleep(AWAY_S)
                    returns.append(open_form(context, server.url))
                context.close()
            finally:
                server.stop()
        if args.loads:
            server = AppServer(db)
            started = time.perf_counter()
            server.start()
            try:
                until_ready(server, POOL_SIZE)
                readies.append(time.perf_counter() - started)
                context = browser.new_context()
                marks = sorted({1, 10, 25, args.loads} & set(range(1, args.loads + 1)))
                for n in range(1, args.loads + 1):
                    open_form(context, server.url)
                    if n in marks:
                        time.sleep(2.0)  # let the server finish shutting down the closed page's kernel
                        assert server.process is not None
                        rss, kids = tree_rss(server.process.pid)
                        memory.append((n, rss, kids))
                context.close()
            finally:
                server.stop()
        browser.close()
    load_after = os.getloadavg()

    print(f"reflect app speed ({sys.platform}, {os.cpu_count()} cores; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after)")
    print(median_line("server port open", ports))
    print(median_line("server start to kernels ready", readies))
    print(median_line("first load, opened at once", at_once))
    print(median_line("first load, kernels ready", firsts))
    print(median_line("returning load to usable form", returns))
    if memory:
        print("memory of server + kernels (RSS) after page loads:")
        for n, rss, kids in memory:
            print(f"  after {n:>3} loads: {rss:7.0f} MiB, {kids} child processes")
    usable = statistics.median(firsts + returns) if firsts or returns else float("nan")
    print(f"goal: at most {GOAL_S:.0f} s to a usable form: {'met' if usable <= GOAL_S else 'NOT met'} "
          f"(median of all loads {usable:.2f} s)")


if __name__ == "__main__":
    main()
