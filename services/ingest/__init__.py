"""Notice ingestion: read a notice (.txt, .md, .docx, .pdf), clean it, extract
its facts into the knowledge-file shape and load them.

    python -m services.ingest PATH... [--dry-run]

See docs/ingestion.md.
"""
