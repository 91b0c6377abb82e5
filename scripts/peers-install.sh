#!/usr/bin/env bash
# npm run peers:install — installs the real peers of the peers lane from the
# system's packages: Chromium, nginx, Apache httpd, HAProxy, Caddy. Debian/Ubuntu only; for
# other systems it prints what to run and exits 1 (see README "Real peers").
# The lane finds them on PATH or through KA_CHROMIUM, KA_NGINX, KA_APACHE,
# KA_HAPROXY, KA_CADDY.
set -euo pipefail
if [ $# -gt 0 ]; then
  echo "peers:install: takes no arguments (got: $*)" >&2
  exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "peers:install: no apt-get here. Install Chromium, nginx, Apache httpd, HAProxy and Caddy yourself, e.g." >&2
  echo "  macOS:  brew install nginx httpd haproxy caddy && brew install --cask chromium   (then KA_APACHE=\$(brew --prefix)/bin/httpd KA_APACHE_MODULES=\$(brew --prefix)/lib/httpd/modules)" >&2
  echo "  Fedora: sudo dnf install chromium nginx httpd haproxy caddy   (then KA_APACHE=/usr/sbin/httpd KA_APACHE_MODULES=/usr/lib64/httpd/modules)" >&2
  echo "  Arch:   sudo pacman -S chromium nginx apache haproxy caddy" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "peers:install: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium nginx apache2 haproxy caddy >/dev/null
# Debian starts the servers it installs where it can; the lane runs its own.
for service in nginx apache2 haproxy caddy; do
  if command -v service >/dev/null 2>&1; then $sudo service "$service" stop >/dev/null 2>&1 || true; fi
done
echo "peers:install: $(chromium --version 2>/dev/null | head -1), $(nginx -v 2>&1), $(apache2 -v 2>/dev/null | head -1), $(haproxy -v 2>/dev/null | head -1), caddy $(caddy version 2>/dev/null | head -1)"
