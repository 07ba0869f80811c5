"""Rate parsing and GCRA (Property 34: rate limits are exact)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati.policy.rate import MICROS, Rate, gcra, parse_rate


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [
        ("100/minute", 100, 60),
        ("10/second", 10, 1),
        ("1000/hour", 1000, 3600),
        ("5/10s", 5, 10),
        ("3 / 2 hours", 3, 7200),
        ("7/day", 7, 86400),
        ("1/M", 1, 60),
    ],
)
def test_rates_parse_in_every_documented_form(text: str, limit: int, period: int) -> None:
    rate = parse_rate(text)
    assert (rate.limit, rate.period, rate.burst, rate.cost) == (limit, period, limit, 1)


@pytest.mark.parametrize(
    "text",
    ["", "100", "100/", "/minute", "100/fortnight", "-1/minute", "5/0s", "0/minute", "1/m/s"],
)
def test_malformed_rates_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"minute|between"):
        parse_rate(text)


def test_burst_and_cost_are_checked() -> None:
    assert parse_rate("10/minute", burst=20, cost=3) == Rate(10, 60, 20, 3)
    with pytest.raises(ValueError, match="cost"):
        parse_rate("10/minute", cost=11)
    with pytest.raises(ValueError, match="burst"):
        parse_rate("10/minute", burst=0)
    with pytest.raises(TypeError):
        parse_rate(100)  # type: ignore[arg-type]


def test_policy_header_names_quota_window_and_a_distinct_burst() -> None:
    assert parse_rate("100/minute").policy == "100;w=60"
    assert parse_rate("100/minute", burst=10).policy == "100;w=60;burst=10"


def test_a_fresh_bucket_allows_burst_requests_then_refuses() -> None:
    tat = None
    emission = 6 * MICROS
    for i in range(10):
        allowed, remaining, _, _, tat = gcra(tat, 0, emission, 10, 1)
        assert allowed and remaining == 9 - i
    allowed, _, _, retry_us, kept = gcra(tat, 0, emission, 10, 1)
    assert not allowed and kept == tat
    assert retry_us == emission  # one unit drips back after one emission interval
    assert gcra(tat, emission, emission, 10, 1)[0]


def _reference(arrivals: list[tuple[int, int]], emission: int, burst: int) -> list[bool]:
    """The continuous-state leaky bucket of ITU-T I.371, the textbook twin of GCRA's virtual
    scheduling: a bucket of capacity burst·T drains one unit per µs; a request of cost c
    fits when the level plus c·T stays within capacity."""
    level, last, out = 0, None, []
    for t, cost in arrivals:
        drained = level if last is None else max(0, level - (t - last))
        if drained + cost * emission > burst * emission:
            out.append(False)
            level = drained
        else:
            out.append(True)
            level = drained + cost * emission
        last = t
    return out


arrival_runs = st.integers(1, 50).flatmap(
    lambda burst: st.tuples(
        st.just(burst),
        st.integers(1, 10 * MICROS),
        st.lists(
            st.tuples(st.integers(0, 3 * MICROS), st.integers(1, burst)), min_size=1, max_size=80
        ),
    )
)


@settings(max_examples=300, deadline=None)
@given(arrival_runs)
def test_property_34_gcra_agrees_with_the_leaky_bucket_reference(
    run: tuple[int, int, list[tuple[int, int]]],
) -> None:
    """Property 34: on random arrival times and costs, GCRA decides exactly as the reference."""
    burst, emission, gaps = run
    now, arrivals = 0, []
    for gap, cost in gaps:
        now += gap
        arrivals.append((now, cost))
    tat, got = None, []
    for t, cost in arrivals:
        decision = gcra(tat, t, emission, burst, cost)
        tat = decision[4]
        got.append(decision[0])
    assert got == _reference(arrivals, emission, burst)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 20),
    st.integers(1, MICROS),
    st.lists(st.integers(0, MICROS // 4), min_size=1, max_size=150),
)
def test_property_34_no_window_admits_more_than_burst_plus_its_length(
    burst: int, emission: int, gaps: list[int]
) -> None:
    """Property 34: in any span [a, b] at most burst + (b - a) / T requests are allowed."""
    now, tat, allowed = 0, None, []
    for gap in gaps:
        now += gap
        decision = gcra(tat, now, emission, burst, 1)
        tat = decision[4]
        if decision[0]:
            allowed.append(now)
    for i, a in enumerate(allowed):
        for j in range(i, len(allowed)):
            assert j - i + 1 <= burst + (allowed[j] - a) // emission
