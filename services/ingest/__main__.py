"""python -m services.ingest PATH... [--dry-run] [--quiet]

Reads each notice, prints the card staff read (what was extracted, what was
stored or kept, what to check), and stores it, one transaction per file. Exit
status 1 when a file could not be read or stored; the other files are still ingested.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from services.db import make_engine, make_session_factory
from services.ingest.loader import NoticeLoader, notice_yaml
from services.ingest.readers import SUPPORTED, UnreadableNotice
from services.knowledge import KnowledgeFileError
from services.settings import get_settings


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED)
        else:
            files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.ingest",
                                     description="Ingest notices (.txt, .md, .docx, .pdf).")
    parser.add_argument("paths", nargs="+", type=Path, help="notice files or folders")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be stored (the extracted record as YAML) and store nothing")
    parser.add_argument("--quiet", action="store_true", help="one line per file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    files = _files(args.paths)
    if not files:
        print("ingest: no notice files given", file=sys.stderr)
        return 1
    engine = make_engine(get_settings().database_url)
    loader = NoticeLoader(make_session_factory(engine))
    failures = 0
    progress = tqdm(files, desc="ingest", unit="file", file=sys.stderr,
                    disable=len(files) < 2 or not sys.stderr.isatty())
    try:
        for path in progress:
            progress.set_postfix_str(path.name)
            try:
                report = loader.ingest(path, dry_run=args.dry_run)
            except UnreadableNotice as error:
                failures += 1
                tqdm.write(f"ingest: cannot read {error}", file=sys.stderr)
                continue
            except (KnowledgeFileError, ValueError) as error:
                failures += 1
                tqdm.write(f"ingest: {path}: not stored, nothing written: {error}", file=sys.stderr)
                continue
            except SQLAlchemyError as error:
                failures += 1
                tqdm.write(f"ingest: {path}: the database refused it, nothing written "
                           f"(is it migrated? `make migrate`): {type(error).__name__}: "
                           f"{str(error).splitlines()[0]}", file=sys.stderr)
                continue
            lines = report.lines()
            tqdm.write("\n".join(lines[:1] if args.quiet else lines))
            if args.dry_run and report.status == "would store" and report.record is not None:
                tqdm.write(notice_yaml(report.record))
    finally:
        engine.dispose()
    done = len(files) - failures
    print(f"ingest: {done} of {len(files)} file(s) ingested"
          + (" (dry run: nothing stored)" if args.dry_run else ""), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
