"""The helper processes of a report: answers in order, errors said, and nothing left running."""

import subprocess
import sys

import pytest

from reflect.reporting import workers


def _warm():
    return {"calls": 0}


def _handle(state, request):
    state["calls"] += 1
    if request == "boom":
        raise ValueError("no such chart")
    return (request, state["calls"])


def _slow(state, request):
    import time

    time.sleep(30)


pytestmark = pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                                reason="needs fork")


def test_calls_and_ordered_submissions():
    w = workers.Worker(_warm, _handle, "test-worker")
    try:
        assert w.call("a") == ("a", 1)
        futures = [w.submit(x) for x in "bcd"]
        assert [f.result(timeout=10) for f in futures] == [("b", 2), ("c", 3), ("d", 4)]
    finally:
        w.close()
    assert not w._process.is_alive()


def test_an_error_in_the_helper_is_raised_here_and_the_helper_goes_on():
    w = workers.Worker(_warm, _handle, "test-worker")
    try:
        with pytest.raises(workers.WorkerError, match="ValueError: no such chart"):
            w.call("boom")
        assert w.call("after")[0] == "after"
    finally:
        w.close()


def test_the_renderer_draws_svg_in_a_fresh_process():
    # vl-convert's engine does not survive a fork, so this runs where it has not started yet
    code = (
        "from reflect.reporting import workers\n"
        "assert workers.can_fork()\n"
        "w = workers.start_renderer()\n"
        "spec = {'mark': 'point', 'data': {'values': [{'x': 1}]},\n"
        "        'encoding': {'x': {'field': 'x', 'type': 'quantitative'}}}\n"
        "print(w.call(spec, timeout=60)[:4])\n"
        "w.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "<svg"


def test_no_fork_once_the_chart_engine_runs_here():
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}})
    assert not workers.can_fork()


def test_a_silent_helper_times_out():
    w = workers.Worker(_warm, _slow, "test-worker")
    try:
        with pytest.raises(workers.WorkerError, match="did not answer in 1 s"):
            w.call("x", timeout=1)
    finally:
        w._process.kill()
