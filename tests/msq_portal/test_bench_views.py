"""The benchmark's minimal save and cost headers exist only under MSQ_BENCH_MINIMAL_SAVE=1."""

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db


def test_bench_minimal_save_url_404s_without_the_flag(client, focal_point, edition):
    client.force_login(focal_point)

    response = client.post(
        "/bench/minimal-save",
        data={"text": "x", "base_version": 1},
        content_type="application/json",
    )

    assert response.status_code == 404
    with pytest.raises(Resolver404):
        resolve("/bench/minimal-save")


def test_bench_cost_headers_absent_without_the_flag(client, focal_point, edition):
    client.force_login(focal_point)

    response = client.get("/healthz")

    assert "msq_portal.bench_views.RequestCostMiddleware" not in settings.MIDDLEWARE
    assert "X-Bench-CPU-ms" not in response
    assert "X-Bench-SQL" not in response
