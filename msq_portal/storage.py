"""Where PDFs and export files are kept: local MEDIA_ROOT, or an S3-compatible bucket.

`STORAGE_URL=s3://BUCKET[/PREFIX]?endpoint_url=URL&region=REGION` (or the usual
AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME) moves them to
the bucket through django-storages; credentials come from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (or STORAGE_URL's user and password). Objects are private:
the portal streams them after its own access check (and, for PDFs, its SHA-256
check), and never hands out a signed URL, which would work for anyone holding
it for its whole lifetime.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
# Query parameters of STORAGE_URL, and the S3Storage option each one sets.
URL_OPTIONS = {"endpoint_url": "endpoint_url", "region": "region_name"}


def s3_options(*, url: str = "", environ: Mapping[str, str]) -> dict | None:
    """The S3Storage OPTIONS for STORAGE_URL or the AWS_* variables; None for local files."""
    options: dict = {}
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ImproperlyConfigured(
                f"STORAGE_URL must look like s3://bucket?endpoint_url=…&region=…, not {url!r}."
            )
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = sorted(set(query) - set(URL_OPTIONS))
        if unknown:
            raise ImproperlyConfigured(
                f"STORAGE_URL: unknown parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(URL_OPTIONS)}."
            )
        options["bucket_name"] = parts.hostname
        if parts.path.strip("/"):
            options["location"] = parts.path.strip("/")
        options.update({URL_OPTIONS[key]: value for key, value in query.items()})
        if parts.username:
            options["access_key"] = unquote(parts.username)
            options["secret_key"] = unquote(parts.password or "")
    elif environ.get("AWS_STORAGE_BUCKET_NAME"):
        options["bucket_name"] = environ["AWS_STORAGE_BUCKET_NAME"]
        for variable, option in (
            ("AWS_S3_ENDPOINT_URL", "endpoint_url"),
            ("AWS_S3_REGION_NAME", "region_name"),
        ):
            if environ.get(variable):
                options[option] = environ[variable]
    else:
        return None
    from botocore.config import Config

    options.update(
        {
            # No ACL sent: objects are as private as the bucket (S3 and MinIO buckets are
            # private unless made otherwise, and buckets that enforce ownership refuse ACLs).
            "default_acl": None,
            "querystring_auth": True,
            # Never a silent overwrite of another file of the same name.
            "file_overwrite": False,
            # A bucket that does not answer fails fast: the PDF task retries, a download
            # shows "try again" (503) instead of hanging a web worker.
            "client_config": Config(
                connect_timeout=3, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"}
            ),
        }
    )
    return options


# What a storage that cannot be reached raises: a local disk's OSError, the bucket's
# connection and HTTP errors (botocore's are not OSErrors). A PDF task retries them;
# a download answers 503 "try again".
STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
