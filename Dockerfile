# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    ARENA_VAR_DIR=/app/var STATIC_ROOT=/app/staticfiles
WORKDIR /app

RUN useradd --system --create-home --home-dir /home/arena arena
COPY requirements/prod.txt requirements/prod.txt
RUN pip install -r requirements/prod.txt

COPY . .
RUN DEBUG=1 python manage.py collectstatic --no-input \
    && mkdir -p /app/var && chown -R arena /app/var
USER arena

EXPOSE 8000
CMD ["gunicorn", "arenasite.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
