# The MSQ Portal image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries, and the Noto fonts every PDF embeds (Latin, Cyrillic,
# Arabic, CJK) so that a PDF never depends on what the host happens to have.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-noto-core fonts-noto-cjk curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt

COPY . .
RUN DJANGO_ENV=development python manage.py collectstatic --noinput -v0 \
    && DJANGO_ENV=development python manage.py compile_translations

RUN useradd --create-home --uid 1000 msq && mkdir -p /app/media && chown msq /app/media
USER msq

EXPOSE 8000
CMD ["gunicorn", "msq_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
