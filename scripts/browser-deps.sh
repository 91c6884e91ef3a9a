#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) and a Chinese font for the browser
# test (tests/browser), which Playwright drives with executable_path: Playwright's
# own browser download (`playwright install`) is never used. Without a CJK font the
# console's screenshots show boxes instead of Chinese (the test itself would pass).
#
# Idempotent: nothing happens when both are there. Without root (and without
# password-less sudo) or without Debian's mirror it says so and exits 0, so
# `make test` carries on and the browser test skips with its reason.
set -uo pipefail

CHROMIUM=/usr/bin/chromium
LOG=${TMPDIR:-/tmp}/browser-deps.log
needed=()
[ -x "$CHROMIUM" ] || needed+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  needed+=(fonts-wqy-zenhei)
fi
if [ ${#needed[@]} -eq 0 ]; then
  echo "browser-deps: $("$CHROMIUM" --version 2>/dev/null) and a Chinese font already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "browser-deps: no apt-get here (not Debian): install ${needed[*]} by hand;" \
       "the browser test skips while $CHROMIUM is missing"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "browser-deps: cannot install ${needed[*]} (not root and no password-less sudo):" \
       "run 'sudo apt-get install -y --no-install-recommends ${needed[*]}';" \
       "the browser test skips while $CHROMIUM is missing"
  exit 0
fi

install() {
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${needed[@]}"
}

started=$SECONDS
echo "browser-deps: apt-get install --no-install-recommends ${needed[*]}"
# The package lists may be missing or stale (a security update replaced the .deb):
# then the first try fails within seconds, and one `apt-get update` fixes it.
if ! install >"$LOG" 2>&1; then
  echo "browser-deps: first try failed ($(tail -n 1 "$LOG")); running apt-get update"
  if ! "${as_root[@]}" apt-get update -qq >>"$LOG" 2>&1 || ! install >>"$LOG" 2>&1; then
    echo "browser-deps: could not install ${needed[*]} (see $LOG):"
    tail -n 5 "$LOG" | sed 's/^/  /'
    echo "browser-deps: the browser test skips while $CHROMIUM is missing"
    exit 0
  fi
fi
echo "browser-deps: $("$CHROMIUM" --version 2>/dev/null || echo "no $CHROMIUM") ready after $((SECONDS - started)) s"
