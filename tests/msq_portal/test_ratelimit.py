from msq_portal.ratelimit import rate_limit_exceeded, rate_limit_reset


def test_rate_limit_exceeded_after_limit_attempts():
    results = [
        rate_limit_exceeded(scope="test", key="a", limit=3, window_seconds=60) for _ in range(5)
    ]
    assert results == [False, False, False, True, True]


def test_rate_limit_exceeded_counts_each_key_apart():
    for _ in range(3):
        rate_limit_exceeded(scope="test", key="a", limit=3, window_seconds=60)
    assert rate_limit_exceeded(scope="test", key="b", limit=3, window_seconds=60) is False
    assert rate_limit_exceeded(scope="other", key="a", limit=3, window_seconds=60) is False


def test_rate_limit_reset_starts_a_new_window():
    for _ in range(4):
        rate_limit_exceeded(scope="test", key="a", limit=3, window_seconds=60)
    rate_limit_reset(scope="test", key="a")
    assert rate_limit_exceeded(scope="test", key="a", limit=3, window_seconds=60) is False
