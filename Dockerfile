# A small image that runs `nudgebot run` as an unprivileged user; SQLite data, if used, lives in
# /data. See docker-compose.yml for the same image with PostgreSQL.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY nudgebot ./nudgebot
COPY config ./config
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 10001 nudgebot && mkdir /data && chown nudgebot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER nudgebot
WORKDIR /home/nudgebot
ENV NUDGEBOT_DATABASE_URL=sqlite:////data/nudgebot.db \
    NUDGEBOT_HTTP_LISTEN=0.0.0.0 \
    NUDGEBOT_HTTP_PORT=8080
VOLUME ["/data"]
# /health (and the webhook, in webhook mode) are served on NUDGEBOT_HTTP_PORT.
EXPOSE 8080
# The image has no curl: ask /health with the Python that is there. It answers 503 (urlopen
# raises, exit 1) while the database is unreachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('NUDGEBOT_HTTP_PORT', '8080'), timeout=4)"
# SIGTERM (docker stop) stops claiming, finishes the sends under way and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["nudgebot"]
CMD ["run"]
