"""The helper processes of a report: answers in order, errors said, and nothing left running."""

import pytest

from reflect import workers


def _warm():
    return {"calls": 0}


def _handle(state, request):
    state["calls"] += 1
    if request == "boom":
        raise ValueError("no such chart")
    return (request, state["calls"])


pytestmark = pytest.mark.skipif(not workers.can_fork(), reason="needs fork")


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


def test_the_renderer_draws_svg():
    w = workers.start_renderer()
    try:
        svg = w.call({"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x",
                                                                                        "type": "quantitative"}}})
        assert svg.lstrip().startswith("<svg")
    finally:
        w.close()
