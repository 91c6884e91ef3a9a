# syntax=docker/dockerfile:1
# Rasa (`python -m bot.rasa_server run`, Rasa 3.6 on Python 3.10, requirements.txt) with the
# trained model inside the image: one image is one model, rolled out and rolled back as a whole.
# Build from the repository root, either training the model in a build stage (the default:
# reproducible from git alone, ~5–15 min on 2 cores)
#   docker build -f deploy/docker/rasa.Dockerfile -t shqa/rasa .
# or shipping the model `make train` left in models/ (seconds):
#   docker build -f deploy/docker/rasa.Dockerfile --build-arg MODEL_SOURCE=context -t shqa/rasa .
ARG PYTHON_IMAGE=python:3.10.18-slim-bookworm
# train | context
ARG MODEL_SOURCE=train

FROM ${PYTHON_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/
RUN /opt/venv/bin/pip install --quiet "pip==24.0" \
 && /opt/venv/bin/pip install --quiet -r /tmp/requirements.txt

# What Rasa loads at run time, and what training reads (bot.training's INPUTS).
FROM ${PYTHON_IMAGE} AS source
WORKDIR /app
COPY config.yml domain.yml credentials.yml endpoints.yml ./
COPY config/ config/
COPY data/ data/
COPY services/ services/
COPY bot/ bot/
COPY deploy/docker/rasa-endpoints.yml deploy/docker/rasa-entrypoint.sh deploy/docker/wait_for_schema.py deploy/docker/
COPY alembic.ini ./
COPY migrations/ migrations/

FROM deps AS model-train
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 \
    PYTHONWARNINGS=ignore::DeprecationWarning SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app
COPY --from=source /app /app
RUN /opt/venv/bin/python -m bot.training \
 && mkdir -p /model && cp models/assistant.tar.gz /model/

FROM scratch AS model-context
# .dockerignore lets models/assistant.tar.gz (and nothing else of models/) into the context.
COPY models/assistant.tar.gz /model/

FROM model-${MODEL_SOURCE} AS model

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
    RASA_PORT=5005
WORKDIR /app
COPY --from=deps /opt/venv /opt/venv
COPY --from=source /app /app
COPY --from=model /model/assistant.tar.gz models/assistant.tar.gz
USER 10001:10001
EXPOSE 5005
ENTRYPOINT ["/app/deploy/docker/rasa-entrypoint.sh"]
