# The centre server: `kiosk-server run` on port 8080, as an unprivileged user.
#
#   docker build -t kiosk-server .
#   docker run -p 8080:8080 -e KIOSK_SERVER_DATABASE_URL=postgresql://... kiosk-server
#
# Without KIOSK_SERVER_DATABASE_URL the server keeps an embedded SQLite database in
# /var/lib/kiosk-server (a volume). compose.yaml runs it with PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 kiosk \
    && useradd --system --uid 10001 --gid kiosk --home-dir /var/lib/kiosk-server \
       --create-home --shell /usr/sbin/nologin kiosk

# Only what the wheel is built from (see .dockerignore): the packages, the station's data
# files (the package kiosk_resources) and the metadata.
WORKDIR /build
COPY pyproject.toml setup.py README.md ./
COPY resources ./resources
COPY kiosk ./kiosk
COPY games ./games
COPY scoring ./scoring
COPY reports ./reports
COPY server ./server
RUN pip install ".[server]" \
    && cd / && rm -rf /build

USER kiosk
WORKDIR /var/lib/kiosk-server
ENV KIOSK_SERVER_DATABASE_URL=sqlite:////var/lib/kiosk-server/server.sqlite3 \
    XDG_DATA_HOME=/var/lib/kiosk-server
VOLUME ["/var/lib/kiosk-server"]
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=4).status != 200)"]

CMD ["kiosk-server", "run", "--host", "0.0.0.0", "--port", "8080"]
