#!/bin/bash
# ipv6-proxy-report: read-only report of what HAProxy serves on this proxy VM.
# Sent by azure-ipv6-proxy through Run Command; it changes nothing.
set -uo pipefail
cfg="${IPV6_PROXY_CFG:-/etc/haproxy/haproxy.cfg}"
socket="${IPV6_PROXY_STATS_SOCKET:-/run/haproxy/admin.sock}"
active_cmd="${IPV6_PROXY_ACTIVE_CMD:-systemctl is-active --quiet haproxy}"

# Servers as HAProxy's health checks see them: "show stat -1 4 -1" dumps servers
# only; the columns are picked by the names in its header line.
# python3 is on every Ubuntu cloud image (cloud-init is written in it).
servers="$(python3 - "$socket" pxname svname status check_status lastchg last_chk check_desc 2>&1 <<'PY'
import csv, socket, sys
path, want = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(path)
s.sendall(b"show stat -1 4 -1\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
lines = data.decode("utf-8", "replace").splitlines()
if not lines or not lines[0].startswith("# "):
    raise SystemExit("unexpected answer from the stats socket: " + (lines[0][:200] if lines else "nothing"))
header = lines[0][2:].split(",")
rows = [r for r in csv.reader(l for l in lines[1:] if l) if len(r) >= len(header) - 1]
pick = [header.index(c) if c in header else None for c in want]
rows.sort(key=lambda r: 0 if r[header.index("status")].startswith("UP") else 1)
out = csv.writer(sys.stdout, lineterminator="\n")
print("# " + ",".join(want))
for r in rows:
    out.writerow(["" if i is None or i >= len(r) else r[i] for i in pick])
PY
)"
servers_status=$?
if [ "$servers_status" -eq 0 ]; then
  printf '%s\n' "$servers"
  count="$(printf '%s\n' "$servers" | grep -vc '^#')"
else
  echo "stats unavailable: $(printf '%s' "$servers" | tail -n 1)"
  count=0
fi

if ! command -v haproxy > /dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "haproxy missing"
elif bash -c "$active_cmd" > /dev/null 2>&1; then
  echo "haproxy active"
else
  echo "haproxy inactive"
fi

# /usr/local/sbin/ipv6-proxy-apply installs a config only after haproxy -c accepted it and
# puts the previous one back when the reload fails, so the installed file is
# the config HAProxy runs.
if [ -f "$cfg" ]; then
  echo "config sha256=$(sha256sum "$cfg" | cut -d' ' -f1)"
else
  echo "config missing"
fi

# TCP ports a process named haproxy listens on.
echo "listening $(ss -Htlnp 2> /dev/null | awk '/"haproxy"/ { n = split($4, a, ":"); print a[n] }' | sort -nu | tr '\n' ' ')"

if command -v cloud-init > /dev/null 2>&1; then
  echo "cloud-init $(cloud-init status 2> /dev/null | sed -n 's/^status: *//p')"
fi
echo "ipv6-proxy-report v1 servers=$count"
