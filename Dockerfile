# monitor: a small image running `monitor run`; the configuration is mounted at /app/config.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY monitor ./monitor
RUN pip install '.[postgres]' && useradd --create-home --uid 1000 monitor \
    && mkdir -p /app/data && chown monitor:monitor /app/data
# /app/data holds the SQLite database (the default sqlite:///data/monitor.db): the user must own it.
VOLUME /app/data

COPY config ./config
USER monitor
EXPOSE 8080
HEALTHCHECK --interval=60s --timeout=20s --retries=3 CMD ["monitor", "sources", "--format", "json"]
CMD ["monitor", "--log-level", "INFO", "run"]
