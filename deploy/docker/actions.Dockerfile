# syntax=docker/dockerfile:1
# The action server (rasa-sdk running actions/ over services/), on Rasa's Python 3.10 and pins
# (requirements.txt). The same image runs the one-shot migrate/knowledge job
# (deploy/docker/migrate.sh). Build from the repository root:
#   docker build -f deploy/docker/actions.Dockerfile -t shqa/actions .
ARG PYTHON_IMAGE=python:3.10.18-slim-bookworm

FROM ${PYTHON_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/
# requirements.txt is Rasa's whole environment (rasa-sdk and services/ need a part of it; the
# pins are kept identical to the Rasa image's rather than split by hand).
RUN /opt/venv/bin/pip install --quiet "pip==24.0" \
 && /opt/venv/bin/pip install --quiet -r /tmp/requirements.txt

FROM ${PYTHON_IMAGE}
# services/settings.py reasons in Asia/Shanghai (zoneinfo): the edge has PyPI's tzdata,
# requirements.txt does not, and newer Debian images leave the system's out.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    RASA_TELEMETRY_ENABLED=false \
    HOME=/tmp \
    ACTIONS_PORT=5055 \
    SANIC_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /opt/venv /opt/venv
# actions/ and services/ at run time; the job also needs migrations/, data/knowledge and corpus/.
COPY alembic.ini domain.yml ./
COPY config/ config/
COPY data/ data/
COPY corpus/ corpus/
COPY migrations/ migrations/
COPY services/ services/
COPY actions/ actions/
COPY bot/ bot/
COPY deploy/docker/migrate.sh deploy/docker/wait_for_schema.py deploy/docker/
USER 10001:10001
EXPOSE 5055
# SANIC_HOST=0.0.0.0: in a container the action server is reached over the pod/compose network,
# which deploy/k8s's NetworkPolicy and compose.yaml's networks restrict to Rasa.
CMD ["sh", "-c", "exec python -m rasa_sdk --actions actions --port \"$ACTIONS_PORT\""]
