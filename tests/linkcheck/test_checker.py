"""The checker against local servers on 127.0.0.1 (allowed by the test allow-list only)."""

import time

import pytest

from linkcheck import checker, guard
from linkcheck.models import LinkCheck

State = LinkCheck.State


def check(url: str) -> checker.Result:
    return checker.check(checker.link_target(url))


def test_check_200_is_reachable(allow_local, server):
    result = check(server.url("/ok"))
    assert result.state == State.REACHABLE
    assert result.status_code == 200
    assert result.response_ms is not None
    assert server.user_agents == [allow_local.LINKCHECK_USER_AGENT]
    assert "DPIDG" in server.user_agents[0]


def test_check_404_is_not_found(allow_local, server):
    result = check(server.url("/missing"))
    assert (result.state, result.status_code) == (State.NOT_FOUND, 404)
    assert "not found" in result.error


def test_check_301_chain_records_every_hop(allow_local, server):
    result = check(server.url("/hop/3"))
    assert result.state == State.REDIRECTS
    assert result.final_url == server.url("/ok")
    assert [hop["url"] for hop in result.redirect_chain] == [
        server.url("/hop/3"),
        server.url("/hop/2"),
        server.url("/hop/1"),
    ]
    assert all(hop["status"] == 301 for hop in result.redirect_chain)


def test_check_more_than_five_redirects_stops(allow_local, server):
    result = check(server.url("/hop/9"))
    assert result.state == State.DID_NOT_ANSWER
    assert "more than 5 redirects" in result.error
    assert len(server.requests) == 6


def test_check_redirect_loop_is_cut(allow_local, server):
    result = check(server.url("/loop"))
    assert result.state == State.DID_NOT_ANSWER
    assert "loop" in result.error
    assert len(server.requests) == 1


def test_check_slow_server_times_out(allow_local, server):
    started = time.monotonic()
    result = check(server.url("/slow"))
    assert result.state == State.DID_NOT_ANSWER
    assert "did not answer within" in result.error
    assert time.monotonic() - started < 2.5


def test_check_dripping_server_is_cut_at_the_total_limit(allow_local, server):
    # Each byte comes well within the read timeout: only the total limit stops it.
    started = time.monotonic()
    result = check(server.url("/drip"))
    elapsed = time.monotonic() - started
    assert result.state == State.DID_NOT_ANSWER
    assert 1.5 < elapsed < 3.5


def test_check_huge_body_is_cut(allow_local, server):
    result = check(server.url("/huge"))
    assert result.state == State.REACHABLE
    time.sleep(0.3)
    # The server stops when the checker hangs up: far less than its 10 GB were sent.
    assert server.bytes_sent < 4 * 1024 * 1024


def test_check_self_signed_certificate_is_a_certificate_problem(allow_local, tls_server):
    result = check(tls_server.url("/ok"))
    assert result.state == State.CERTIFICATE_PROBLEM
    assert result.tls_problem == "the certificate is self-signed"
    assert tls_server.requests == []


@pytest.mark.parametrize(
    "location", ["http://127.0.0.1:{port}/ok", "http://169.254.169.254/latest/meta-data/"]
)
def test_check_redirect_to_an_inside_address_is_refused(settings, server, target_server, location):
    # Only the first server is allowed (address:port): the allow-list is off for the target.
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = [f"127.0.0.1:{server.port}"]
    settings.LINKCHECK_HOST_INTERVAL_SECONDS = 0
    settings.LINKCHECK_TOTAL_TIMEOUT = 2
    destination = location.format(port=target_server.port)
    result = check(server.url(f"/to?u={destination}"))
    assert result.state == State.NOT_CHECKED
    assert "loopback" in result.error or "link-local" in result.error
    assert result.redirect_chain[0]["location"] == destination
    assert target_server.requests == []


def test_check_without_allow_list_refuses_127_0_0_1(settings, server):
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = []
    result = check(server.url("/ok"))
    assert result.state == State.NOT_CHECKED
    assert server.requests == []


def test_check_localhost_resolving_to_loopback_is_refused(settings, server):
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = []
    # "localhost" is no public name: refused as typed; through a redirect, by its address.
    assert check(f"http://localhost:{server.port}/ok").error == "not a web address"
    result = checker.fetch(f"http://localhost:{server.port}/ok")
    assert result.state == State.NOT_CHECKED
    assert "loopback" in result.error
    assert server.requests == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.0.0.7"],
        ["93.184.215.14", "192.168.1.1"],  # one private answer among public ones: rebinding
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["fd00::1"],
        ["fe80::1"],
        ["224.0.0.1"],
        ["0.0.0.0"],  # noqa: S104 (an address to refuse, not one to bind)
        ["100.64.0.1"],
    ],
)
def test_check_name_resolving_to_a_private_address_is_refused(
    settings, monkeypatch, server, addresses
):
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = []
    connected = []
    monkeypatch.setattr(guard, "resolve", lambda host, port: addresses)
    monkeypatch.setattr(
        guard.httpcore.SyncBackend, "connect_tcp", lambda *a, **k: connected.append(a)
    )
    result = check("https://portal.gov.example.uz/")
    assert result.state == State.NOT_CHECKED
    assert "the host resolves to" in result.error
    assert connected == []


def test_check_in_production_ignores_the_allow_list(settings, server):
    settings.PRODUCTION = True
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    result = checker.fetch(server.url("/ok"))
    assert result.state == State.NOT_CHECKED
    assert server.requests == []


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("javascript:alert(1)", "only http and https addresses are checked"),
        ("ftp://files.gov.uz/a", "only http and https addresses are checked"),
        ("not a link", "not a web address"),
        ("https://" + "a" * 2001 + ".uz", "longer than 2000 characters"),
        ("http://10.1.2.3/", "not a web address"),
    ],
)
def test_link_target_bad_input_is_not_checked(typed, why):
    target = checker.link_target(typed)
    assert target.refusal == why
    assert target.candidates == []
    assert checker.check(target).state == State.NOT_CHECKED


def test_link_target_without_scheme_tries_https_then_http():
    target = checker.link_target("www.ek.uz/Services#top")
    assert target.candidates == ["https://www.ek.uz/Services", "http://www.ek.uz/Services"]
    assert checker.link_target("WWW.EK.UZ/Services").key == target.key


def test_check_without_scheme_falls_back_to_http(allow_local, server):
    # 127.0.0.1:port without a scheme: https fails (plain server), http answers.
    target = checker.Target(
        url="*://x",
        key="k",
        candidates=[server.url("/ok").replace("http", "https"), server.url("/ok")],
    )
    assert checker.check(target).state == State.REACHABLE


def test_address_refusal_accepts_a_public_address():
    assert guard.address_refusal("93.184.215.14", port=443) == ""
    assert guard.address_refusal("2606:4700::1111", port=443) == ""
