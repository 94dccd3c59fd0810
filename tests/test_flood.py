"""Flood control: the token bucket (pure) and its defaults, which must never bother a
person typing or clicking."""
from __future__ import annotations

import pytest

from chgrid.settings import LimitsSettings
from chgrid.world.flood import Admission, RateLimit, TokenBucket, UserBuckets

DEFAULTS = LimitsSettings()
CHAT = RateLimit(DEFAULTS.chat_burst, DEFAULTS.chat_per_second)
ACTIONS = RateLimit(DEFAULTS.actions_burst, DEFAULTS.actions_per_second)


def admitted_count(bucket: TokenBucket, times) -> int:
    return sum(bucket.take(t).admitted for t in times)


def test_a_burst_passes_then_the_rest_is_refused_with_one_notice():
    bucket = TokenBucket(RateLimit(8, 1.0), now=0.0)
    verdicts = [bucket.take(0.0) for _ in range(200)]
    assert verdicts[:8] == [Admission.ADMITTED] * 8
    assert verdicts[8] is Admission.REFUSED_NOTIFY
    assert set(verdicts[9:]) == {Admission.REFUSED}


def test_refill_at_the_sustained_rate_and_a_new_notice_per_run():
    bucket = TokenBucket(RateLimit(2, 1.0), now=0.0)
    assert [bucket.take(0.0) for _ in range(3)][-1] is Admission.REFUSED_NOTIFY
    assert bucket.take(0.5) is Admission.REFUSED  # half a token is not one
    assert bucket.take(1.0) is Admission.ADMITTED
    assert bucket.take(1.0) is Admission.REFUSED_NOTIFY  # a new run of refusals
    assert bucket.take(100.0).admitted and bucket.take(100.0).admitted
    assert not bucket.take(100.0).admitted  # refill stops at the burst


def test_a_sustained_flood_gets_about_the_rate_through():
    bucket = TokenBucket(RateLimit(10, 1.0), now=0.0)
    times = [i / 1000 for i in range(10_000)]  # 1000 lines a second for 10 s
    assert admitted_count(bucket, times) <= 10 + 10


def test_clock_stepping_back_mints_nothing():
    bucket = TokenBucket(RateLimit(1, 1.0), now=10.0)
    assert bucket.take(10.0).admitted
    assert not bucket.take(5.0).admitted
    assert not bucket.take(10.5).admitted
    assert bucket.take(11.0).admitted


@pytest.mark.parametrize("burst,rate", [(0, 1.0), (1, 0.0), (1, -1.0)])
def test_invalid_limits_are_refused(burst, rate):
    with pytest.raises(ValueError):
        RateLimit(burst, rate)


def test_a_person_typing_is_never_limited():
    # A line every 2 s for ten minutes.
    bucket = TokenBucket(CHAT, now=0.0)
    assert admitted_count(bucket, [2.0 * i for i in range(300)]) == 300
    # Five quick lines (0.3 s apart), a pause, five more, many times over.
    bucket = TokenBucket(CHAT, now=0.0)
    times = [round(20.0 * burst + 0.3 * i, 3) for burst in range(30) for i in range(5)]
    assert admitted_count(bucket, times) == len(times)
    # A fast exchange: a line a second for five minutes, with five at once at the start.
    bucket = TokenBucket(CHAT, now=0.0)
    assert admitted_count(bucket, [0.0] * 5 + [1.0 + i for i in range(300)]) == 305


def test_a_person_clicking_items_is_never_limited():
    # Rolling a die as fast as its cooldown allows (1 s), for five minutes.
    bucket = TokenBucket(ACTIONS, now=0.0)
    assert admitted_count(bucket, [1.0 * i for i in range(300)]) == 300
    # Ten quick edits (pickup, drop, update, ...) 0.2 s apart, every 10 s.
    bucket = TokenBucket(ACTIONS, now=0.0)
    times = [10.0 * burst + 0.2 * i for burst in range(30) for i in range(10)]
    assert admitted_count(bucket, times) == len(times)


def test_user_buckets_are_per_user_and_pruned_when_full():
    buckets = UserBuckets(RateLimit(1, 1.0))
    assert buckets.take(1, 0.0).admitted
    assert not buckets.take(1, 0.0).admitted
    assert buckets.take(2, 0.0).admitted  # another user has a bucket of their own
    buckets.prune(0.5, keep={2})
    assert len(buckets) == 2  # user 1's bucket is not full yet: a reconnect must not refill it
    assert not buckets.take(1, 0.5).admitted
    buckets.prune(10.0, keep={2})
    assert len(buckets) == 1  # user 1 (gone, full again) is forgotten; user 2 is connected
