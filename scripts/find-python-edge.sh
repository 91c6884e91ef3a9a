#!/usr/bin/env bash
# Prints the path of a working Python 3.13 for the public edge (.venv-edge: the WeChat gateway
# and the staff console; requirements-edge.txt is pinned for it): EDGE_PYTHON when set, else
# from PATH, else from pyenv. Exits 1 with instructions when there is none.
set -u
works() { "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; }

if [ -n "${EDGE_PYTHON:-}" ]; then
  if works "$EDGE_PYTHON"; then echo "$EDGE_PYTHON"; exit 0; fi
  echo "EDGE_PYTHON=$EDGE_PYTHON is not a working Python 3.13 (with venv)." >&2
  exit 1
fi

for candidate in python3.13 python3 python; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if works "$path"; then echo "$path"; exit 0; fi
done

if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    path="$root/versions/$version/bin/python3.13"
    if works "$path"; then echo "$path"; exit 0; fi
  done
fi

cat >&2 <<'MSG'
Python 3.13 is required for the WeChat gateway and the staff console (.venv-edge; Rasa keeps
its own Python 3.10 in .venv) and none was found. Install one, then run make again:
  - with pyenv:        pyenv install 3.13
  - on Debian/Ubuntu:  apt-get install python3.13 python3.13-venv   (or the deadsnakes PPA)
  - or point make at one:  make install EDGE_PYTHON=/path/to/python3.13
MSG
exit 1
