# syntax=docker/dockerfile:1
# The public edge: the WeChat gateway with the staff console (`python -m bot.gateway`), on a
# current Python and aiohttp (requirements-edge.txt), never Rasa's. Build from the repository root:
#   docker build -f deploy/docker/edge.Dockerfile -t shqa/edge .
# Configured only by environment variables (docs/deploy.md); nothing secret is in the image.
ARG PYTHON_IMAGE=python:3.13.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements-edge.txt /tmp/
# requirements-edge.txt pins every package, each with a wheel for CPython 3.13 but jieba (pure Python).
RUN /opt/venv/bin/pip install --quiet "pip==26.3" \
 && /opt/venv/bin/pip install --quiet -r /tmp/requirements-edge.txt

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080
WORKDIR /app
COPY --from=deps /opt/venv /opt/venv
# What the edge reads at run time: its code and services/, the reply texts (domain.yml, config/),
# the training data the console's 没听懂 inbox checks new examples against (data/nlu), and the
# migrations, which deploy/docker/wait_for_schema.py compares with the database.
COPY alembic.ini domain.yml ./
COPY config/ config/
COPY data/ data/
COPY migrations/ migrations/
COPY services/ services/
COPY bot/__init__.py bot/
COPY bot/gateway/ bot/gateway/
COPY bot/console/ bot/console/
COPY deploy/docker/wait_for_schema.py deploy/docker/
# The console appends confirmed examples to data/nlu/review.yml under a lock in var/
# (services/review_file.py): the places the edge writes besides /tmp. Everything else stays
# root's and read-only to the app.
RUN mkdir -p /app/var && chown -R app:app /app/data/nlu /app/var
USER 10001:10001
EXPOSE 8080
CMD ["python", "-m", "bot.gateway"]
