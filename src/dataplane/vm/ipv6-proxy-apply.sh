#!/bin/bash
# ipv6-proxy-apply: install the HAProxy config held in this VM's Azure userData.
# Installed by cloud-init (azure-ipv6-proxy). It fetches the config from IMDS,
# checks it with `haproxy -c`, installs it atomically and reloads HAProxy
# without dropping connections. It runs at every boot (ipv6-proxy-config.service)
# and after every config change (Azure Run Command).
#
# Usage: ipv6-proxy-apply [--expect-sha256 HEX] [--no-reload]
#   --expect-sha256  retry until IMDS serves the config with this hash (IMDS
#                    can lag behind a userData update for a few seconds)
#   --no-reload      install only; used at boot, where haproxy.service starts
#                    after this script (a reload from there would deadlock)
# Exit codes: 0 applied; 1 haproxy rejected the config (nothing changed);
#   2 usage; 3 could not fetch the (expected) config; 4 reload failed (the
#   previous config file is put back).
# Environment (for tests): IPV6_PROXY_IMDS_URL, IPV6_PROXY_CFG,
#   IPV6_PROXY_RELOAD_CMD, IPV6_PROXY_HAPROXY, IPV6_PROXY_ACTIVE_CMD (exits 0
#   when HAProxy runs), IPV6_PROXY_LOCK, IPV6_PROXY_ATTEMPTS,
#   IPV6_PROXY_RETRY_DELAY.
set -euo pipefail

imds_url="${IPV6_PROXY_IMDS_URL:-http://169.254.169.254}"
cfg="${IPV6_PROXY_CFG:-/etc/haproxy/haproxy.cfg}"
reload_cmd="${IPV6_PROXY_RELOAD_CMD:-systemctl reload-or-restart haproxy}"
active_cmd="${IPV6_PROXY_ACTIVE_CMD:-systemctl is-active --quiet haproxy}"
haproxy_bin="${IPV6_PROXY_HAPROXY:-haproxy}"
lock="${IPV6_PROXY_LOCK:-/run/lock/ipv6-proxy-apply.lock}"
attempts="${IPV6_PROXY_ATTEMPTS:-30}"
retry_delay="${IPV6_PROXY_RETRY_DELAY:-2}"

log() { echo "ipv6-proxy-apply: $*" >&2; }
die() { local code="$1"; shift; log "$*"; exit "$code"; }

expect=""
reload=yes
while [ "$#" -gt 0 ]; do
  case "$1" in
    --expect-sha256)
      [ "$#" -ge 2 ] || die 2 "--expect-sha256 needs a value"
      expect="$(printf '%s' "$2" | tr 'A-F' 'a-f')"
      [[ "$expect" =~ ^[0-9a-f]{64}$ ]] || die 2 "--expect-sha256: not a sha256: $2"
      shift 2 ;;
    --no-reload) reload=no; shift ;;
    *) die 2 "unknown argument: $1 (usage: ipv6-proxy-apply [--expect-sha256 HEX] [--no-reload])" ;;
  esac
done

# One apply at a time: the boot-time run and a Run Command may overlap.
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
flock -w 300 9 || die 3 "another ipv6-proxy-apply still holds $lock"

cfg_dir="$(dirname "$cfg")"
mkdir -p "$cfg_dir"
# The candidate lives next to the target so the final mv is an atomic rename.
work="$(mktemp -d "$cfg_dir/.ipv6-proxy-apply.XXXXXX")"
trap 'rm -rf "$work"' EXIT
candidate="$work/haproxy.cfg"
url="$imds_url/metadata/instance/compute/userData?api-version=2021-01-01&format=text"

# Leaves the decoded config in $candidate, or sets fetch_error.
fetch() {
  fetch_error=""
  if ! curl -sf --max-time 10 -H Metadata:true --noproxy '*' -o "$work/userdata.b64" "$url"; then
    fetch_error="could not fetch userData from $imds_url"
  elif ! base64 -d "$work/userdata.b64" > "$candidate" 2> /dev/null; then
    fetch_error="userData from IMDS is not valid base64"
  fi
}

sha=""
attempt=1
while :; do
  fetch
  if [ -z "$fetch_error" ]; then
    sha="$(sha256sum "$candidate" | cut -d' ' -f1)"
    if [ -z "$expect" ] || [ "$sha" = "$expect" ]; then break; fi
    log "IMDS serves userData sha256=$sha, waiting for $expect (attempt $attempt/$attempts)"
  else
    sha=""
    log "$fetch_error (attempt $attempt/$attempts)"
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    if [ -n "$sha" ]; then die 3 "gave up: userData sha256=$sha, expected $expect"; fi
    die 3 "gave up: $fetch_error"
  fi
  attempt=$((attempt + 1))
  sleep "$retry_delay"
done

[ -s "$candidate" ] || die 3 "userData is empty; there is no HAProxy config to apply"
bytes="$(wc -c < "$candidate" | tr -d ' ')"

if ! check_output="$("$haproxy_bin" -c -f "$candidate" 2>&1)"; then
  log "haproxy rejected the config (sha256=$sha); $cfg is unchanged:"
  echo "$check_output" >&2
  exit 1
fi

changed=yes
if [ -f "$cfg" ] && cmp -s "$candidate" "$cfg"; then changed=no; fi

if [ "$changed" = yes ]; then
  chmod 0644 "$candidate"
  if [ -f "$cfg" ]; then cp -p "$cfg" "$cfg.previous"; fi
  mv -f "$candidate" "$cfg"
fi

reloaded=no
if [ "$reload" = yes ]; then
  # An unchanged config needs no reload (a reload would move live connections to
  # an old worker that hard-stop-after ends); only make sure HAProxy runs.
  if [ "$changed" = yes ] || ! bash -c "$active_cmd" > /dev/null 2>&1; then
    if ! bash -c "$reload_cmd" >&2; then
      if [ "$changed" = yes ] && [ -f "$cfg.previous" ]; then
        mv -f "$cfg.previous" "$cfg"
        die 4 "reloading HAProxy failed ($reload_cmd); put the previous $cfg back"
      fi
      die 4 "reloading HAProxy failed ($reload_cmd)"
    fi
    reloaded=yes
  fi
fi

echo "applied config sha256=$sha bytes=$bytes path=$cfg changed=$changed reload=$reloaded"
