#!/bin/bash
# ipv6-proxy-health: drain this replica's health endpoint (it answers 503, so
# the load balancer sends no new flows) or let it serve again, then report
# what the endpoint answers now. Sent by azure-ipv6-proxy through Run Command,
# with IPV6_PROXY_HEALTH_ACTION (drain or serve) assigned on the line after the
# shebang. Run Command relays no exit status: the result is the last line,
# "health endpoint: http=NNN".
# Environment (for tests): IPV6_PROXY_ADMIN_SOCKET, IPV6_PROXY_HEALTH_URL.
set -uo pipefail
case "${IPV6_PROXY_HEALTH_ACTION:-}" in
  drain) state=maint ;;
  serve) state=ready ;;
  *)
    echo "ipv6-proxy-health: IPV6_PROXY_HEALTH_ACTION must be drain or serve" >&2
    exit 2
    ;;
esac
# HAProxy's admin socket (the `stats socket` line of the config). python3
# talks to it: Ubuntu's cloud images always have it (cloud-init is written in
# Python).
socket="${IPV6_PROXY_ADMIN_SOCKET:-/run/haproxy/admin.sock}"
url="${IPV6_PROXY_HEALTH_URL:-http://127.0.0.1:8405/healthz}"
answer="$(python3 - "$socket" "set server health/serving state $state" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    out += chunk
print(out.decode().strip())
PY
)"
[ -z "$answer" ] || echo "haproxy: $answer"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)"
echo "health endpoint: http=${code:-000}"
