#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6 supports no newer Python):
# first from PATH, then from pyenv. Exits 1 with instructions when there is none.
set -u
works() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

for candidate in python3.10 python3 python; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if works "$path"; then echo "$path"; exit 0; fi
done

if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    path="$root/versions/$version/bin/python3.10"
    if works "$path"; then echo "$path"; exit 0; fi
  done
fi

cat >&2 <<'MSG'
Python 3.10 is required (rasa 3.6.21 supports Python 3.8–3.10 only) and none was found.
Install one, then run make again:
  - with pyenv:        pyenv install 3.10.13
  - on Debian/Ubuntu:  apt-get install python3.10 python3.10-venv   (or the deadsnakes PPA)
  - or point make at one:  make run PYTHON310=/path/to/python3.10
MSG
exit 1
