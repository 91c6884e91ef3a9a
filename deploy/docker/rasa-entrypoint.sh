#!/bin/sh
# Starts Rasa as bot.supervisor does for `make run`, but listening on the container's network
# (the pod network or compose's internal one) instead of the loopback.
# The HTTP API (/status, /conversations, /model…) is enabled only with RASA_TOKEN set, and then
# only with that token (--auth-token); the REST channel the gateway calls and GET / (the probes)
# answer either way. Extra arguments are passed on to `rasa run`.
set -eu
set -- run \
  --interface "${RASA_INTERFACE:-0.0.0.0}" --port "${RASA_PORT:-5005}" \
  --model models/assistant.tar.gz \
  --credentials credentials.yml --endpoints deploy/docker/rasa-endpoints.yml \
  "$@"
if [ -n "${RASA_TOKEN:-}" ]; then
  set -- "$@" --enable-api --auth-token "$RASA_TOKEN"
fi
exec python -m bot.rasa_server "$@"
