# A small image that runs `nudgebot run` as an unprivileged user; data lives in /data.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY nudgebot ./nudgebot
COPY config ./config
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 nudgebot && mkdir /data && chown nudgebot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER nudgebot
WORKDIR /home/nudgebot
ENV NUDGEBOT_DATABASE_URL=sqlite:////data/nudgebot.db \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["nudgebot"]
CMD ["run"]
