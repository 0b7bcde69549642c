import pytest

from tests.linkcheck.servers import LocalServer


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture
def target_server():
    """A second server: what a redirect must never reach."""
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture
def tls_server(tmp_path):
    local = LocalServer(tls_dir=tmp_path)
    yield local
    local.close()


@pytest.fixture
def allow_local(settings):
    """The test allow-list: 127.0.0.1 may be reached; short limits keep the tests fast."""
    settings.LINKCHECK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    settings.LINKCHECK_HOST_INTERVAL_SECONDS = 0
    settings.LINKCHECK_CONNECT_TIMEOUT = 1
    settings.LINKCHECK_READ_TIMEOUT = 1
    settings.LINKCHECK_TOTAL_TIMEOUT = 2
    return settings
