"""How fast `reflect app` opens, against the floor: a plain Voila page with one slider, preheated.

Drives Debian's Chromium with Playwright. Two servers run side by side:

- **the floor**: plain Voila (``voila NB --preheat_kernel=True``, its defaults otherwise) serving a
  notebook with one cell, ``IntSlider()``, so that its page is Voila's own and its kernel has
  already run the cell when the page is opened;
- **the form**: the kit's own app server (``AppServer``, exactly what ``reflect app`` starts) on a
  temporary store with two people and last month's check-ins.

Each round opens both, interleaved (the order alternates from round to round, so that a busy moment
falls on both alike), on the desktop (1280 x 800) and on a phone (390 x 844, touch, three device
pixels to one), each both **cold** (a new browser profile: nothing cached) and **returning** (a
profile that opened it before: its cache holds Voila's scripts). Before each page is opened, both
servers are left to settle: their kernels are ready again (the pool refilled) and their processes
idle.

- **usable**: from asking for the address until the page can be used: on the floor, the slider is
  drawn; on the form, the name picker is visible and enabled and the first slider is drawn;
- **where the time goes** (medians, both pages): the first byte of the page, the page fully received,
  the page parsed (DOMContentLoaded), Voila's scripts loaded and run (the load event: Voila's app
  starts only then), the app asking for its kernel, then the widgets drawn; how many files the page
  loads, and how large the page is once drawn.

Goal: the usable form at most 0.75 x the floor, on the desktop and on the phone. Run:
    .venv/bin/python benchmarks/app_speed.py                 # 5 rounds
    .venv/bin/python benchmarks/app_speed.py --rounds 7 --loads 50   # and memory after 50 loads
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reflect.domain.checkin import CheckIn, add_months, month_of, month_start
from reflect.domain.dimensions import KEYS
from reflect.servers.app import AppServer
from reflect.storage.store import Store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PICKER = "Pick your name, or type a new one"
GOAL = 0.75
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
                         "has_touch": True}
#: The floor's notebook: one slider, nothing else.
FLOOR_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "slider", "metadata": {}, "outputs": [],
               "source": ["import ipywidgets as w\n", "\n", "w.IntSlider(description='Slider')"]}],
    "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}
#: After a page is closed, the least time left before the next is opened (the app refills its pool
#: 4 s after a page takes a kernel; Voila's own default is 1 s).
SETTLE_S = 5.0
#: Idle: the server and its kernels used less than this share of one core over half a second.
IDLE_SHARE = 0.04


def seed(db: Path) -> None:
    last = month_start(add_months(month_of(dt.date.today()), -1))
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.save(CheckIn.create(person=person, date=last, scores=dict.fromkeys(KEYS, 6)))


# -- processes -----------------------------------------------------------------------------------


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


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its descendants (those alive now)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


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
    """How many children of server ``pid`` hold an open TCP connection to its ``port``: the app's
    kernels made ahead of time, waiting for a visitor."""
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


def settle(pids: list[int], ready: Any = lambda: True, timeout: float = 90.0) -> None:
    """Wait until ``ready()`` and every server in ``pids`` (with its kernels) is idle."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        before = sum(tree_cpu(p) for p in pids)
        time.sleep(0.5)
        used = sum(tree_cpu(p) for p in pids) - before
        quiet = quiet + 1 if used < IDLE_SHARE * 0.5 and ready() else 0
        if quiet >= 2:
            return
    print("  (the servers did not settle; going on)", file=sys.stderr)


# -- the floor: plain Voila, preheated ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def floor_server(folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Plain Voila with ``--preheat_kernel=True`` on a one-slider notebook; its process and address."""
    notebook = folder / "slider.ipynb"
    notebook.write_text(json.dumps(FLOOR_NOTEBOOK))
    port, token = free_port(), secrets.token_hex(24)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH", "REFLECT_DB")}
    env["JUPYTER_TOKEN"] = token
    process = subprocess.Popen(
        [sys.executable, "-m", "voila", str(notebook), "--no-browser", "--token", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--preheat_kernel=True"],
        cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the floor's Voila did not start") from None
                time.sleep(0.1)
        yield process, f"http://127.0.0.1:{port}/?token={token}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- a page --------------------------------------------------------------------------------------

#: What the page says of itself once usable: navigation timing (ms from asking for the address) and
#: the files it loaded.
TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const files = performance.getEntriesByType('resource');
  const kernel = files.find(f => f.name.includes('/api/kernels/'));
  return {first_byte: n.responseStart, received: n.responseEnd, scripts_run: n.domContentLoadedEventEnd,
          loaded: n.loadEventEnd, kernel: kernel ? kernel.startTime : NaN, files: files.length,
          scripts: files.filter(f => f.initiatorType === 'script').length,
          kbytes: (n.transferSize + files.reduce((s, f) => s + (f.transferSize || 0), 0)) / 1024,
          page_kbytes: document.documentElement.outerHTML.length / 1024};
}"""


def open_page(context: Any, url: str, *, form: bool) -> dict[str, float]:
    """Open ``url`` in a new page of ``context`` until it is usable; seconds, and the page's timing.
    Closes the page (as a person closing the tab: the page says goodbye to its kernel)."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_default_timeout(120_000)
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    if form:
        picker = page.get_by_placeholder(PICKER)
        expect(picker).to_be_visible(timeout=120_000)
        expect(picker).to_be_enabled(timeout=120_000)
    page.locator(".noUi-handle").first.wait_for(state="visible")
    took = time.perf_counter() - started
    timing = page.evaluate(TIMING)
    page.close(run_before_unload=True)
    return {"usable": took, **timing}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{median(values):5.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (at least 5 for the README)")
    parser.add_argument("--loads", type=int, default=0, help="page loads for the memory figure (0: skip)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("at least one round")

    from playwright.sync_api import sync_playwright

    from reflect.servers.kernels import POOL_SIZE

    kinds = [(device, cache) for device in ("desktop", "phone") for cache in ("cold", "returning")]
    usable: dict[tuple[str, str, str], list[float]] = {}
    ratios: dict[tuple[str, str], list[float]] = {}
    timings: dict[tuple[str, str], list[dict[str, float]]] = {}
    memory: list[tuple[int, float, int]] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        db = Path(tmp) / "bench.db"
        seed(db)
        floor_dir = Path(tmp) / "floor"
        floor_dir.mkdir()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        app = AppServer(db)
        with floor_server(floor_dir) as (floor, floor_url), contextlib.ExitStack() as stack:
            app.start()
            stack.callback(app.stop)
            assert app.process is not None
            pids = [floor.pid, app.process.pid]

            def app_ready() -> bool:
                assert app.process is not None
                return waiting_kernels(app.process.pid, app.port) >= POOL_SIZE

            pages = {"floor": floor_url, "form": app.url}
            options = {"desktop": DESKTOP, "phone": PHONE}
            returning = {}
            for which in pages:  # the returning profiles' first visit, not timed
                for device in options:
                    returning[which, device] = browser.new_context(**options[device])
                    settle(pids, app_ready)
                    open_page(returning[which, device], pages[which], form=which == "form")
            for n in range(args.rounds):
                for device, cache in kinds:
                    took = {}
                    for which in (("floor", "form") if n % 2 == 0 else ("form", "floor")):
                        settle(pids, app_ready)
                        context = (browser.new_context(**options[device]) if cache == "cold"
                                   else returning[which, device])
                        result = open_page(context, pages[which], form=which == "form")
                        if cache == "cold":
                            context.close()
                        took[which] = result["usable"]
                        usable.setdefault((which, device, cache), []).append(result["usable"])
                        timings.setdefault((which, device), []).append(result)
                    ratios.setdefault((device, cache), []).append(took["form"] / took["floor"])
                print(f"  round {n + 1}: " + ", ".join(f"{d} {c} {ratios[d, c][-1]:.2f}" for d, c in kinds),
                      file=sys.stderr)
            for context in returning.values():
                context.close()
            if args.loads:
                context = browser.new_context()
                marks = sorted({1, 10, 25, args.loads} & set(range(1, args.loads + 1)))
                for n in range(1, args.loads + 1):
                    settle([app.process.pid], app_ready)
                    open_page(context, app.url, form=True)
                    if n in marks:
                        time.sleep(2.0)  # the closed page's kernel is being shut down
                        rss, kids = tree_rss(app.process.pid)
                        memory.append((n, rss, kids))
                context.close()
        browser.close()
    load_after = os.getloadavg()

    print(f"reflect app against plain Voila, preheated ({sys.platform}, {os.cpu_count()} cores; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; {args.rounds} interleaved rounds)")
    print("usable page, medians:")
    for device, cache in kinds:
        print(f"  {device:<8}{cache:<10} floor {spread(usable['floor', device, cache])}")
        print(f"  {'':<18} form  {spread(usable['form', device, cache])}")
    print("the form / the floor (each round's pair; median, min, max):")
    met = True
    for device, cache in kinds:
        values = ratios[device, cache]
        met = met and median(values) <= GOAL
        print(f"  {device:<8}{cache:<10} {median(values):.2f}  ({min(values):.2f} .. {max(values):.2f})")
    print("where the time goes (medians, ms from asking for the address):")
    for which in ("floor", "form"):
        for device in ("desktop", "phone"):
            rows = timings[which, device]
            print(f"  {which:<6}{device:<8} first byte {median([r['first_byte'] for r in rows]):4.0f}, "
                  f"page received {median([r['received'] for r in rows]):4.0f}, "
                  f"page parsed {median([r['scripts_run'] for r in rows]):4.0f}, "
                  f"Voila's scripts loaded {median([r['loaded'] for r in rows]):4.0f}, "
                  f"kernel asked for {median([r['kernel'] for r in rows]):4.0f}, "
                  f"usable {median([r['usable'] * 1000 for r in rows]):4.0f}; "
                  f"{median([r['files'] for r in rows]):.0f} files ({median([r['scripts'] for r in rows]):.0f} "
                  f"scripts), the page {median([r['page_kbytes'] for r in rows]):.0f} KB")
    if memory:
        print("memory of the app's server + kernels (RSS) after page loads:")
        for n, rss, kids in memory:
            print(f"  after {n:>3} loads: {rss:7.0f} MiB, {kids} child processes")
    print(f"goal: the usable form at most {GOAL} x the floor, desktop and phone: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
