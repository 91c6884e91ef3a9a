#!/bin/sh
# The one-shot job before (re)starting the assistant on a shared database: what `make knowledge`
# does for `make run`, plus Rasa's own table. Idempotent: run it on every release.
#   1. migrate the database DATABASE_URL names to the latest schema (Alembic);
#   2. load the reviewed notices under data/knowledge, then pass corpus/ through ingestion
#      (unchanged files are skipped);
#   3. create Rasa's tracker table (`events`) once, here, rather than from several Rasa
#      replicas starting at the same moment.
set -eu
cd "$(dirname "$0")/../.."  # /app in the image
echo "migrate: alembic upgrade head"
alembic upgrade head
echo "migrate: loading data/knowledge"
python -m services.knowledge
echo "migrate: ingesting corpus/"
python -m services.ingest --quiet corpus/*.txt
echo "migrate: Rasa's tracker table"
python -c "from bot.rasa_stores import ConfiguredSQLTrackerStore; ConfiguredSQLTrackerStore()"
echo "migrate: done"
