#!/usr/bin/env bash
# rasa data validate, failing on its errors and on every warning except one:
# responses that only custom actions utter are "not used in any story or rule",
# which is how this project is meant to be (actions choose the reply).
set -uo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT
.venv/bin/python -m rasa data validate --domain domain.yml --config config.yml \
  --data data/nlu data/rules data/stories >"$out" 2>&1
status=$?
problems=$(grep -E "UserWarning|ERROR" "$out" | grep -v "is not used in any story or rule")
if [ $status -ne 0 ] || [ -n "$problems" ]; then
  cat "$out"
  echo "rasa data validate found problems:" >&2
  echo "$problems" >&2
  exit 1
fi
echo "rasa data validate: no problems ($(grep -c 'is not used in any story or rule' "$out") responses are uttered by actions only)"
