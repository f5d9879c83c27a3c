#!/bin/bash
# ipv6-proxy-serving-check: is this proxy VM serving the expected config?
# Sent by azure-ipv6-proxy through Run Command, with IPV6_PROXY_EXPECTED_SHA256
# (64 lower-case hex digits, the sha256 of the userData config) assigned on the
# line after the shebang. Run Command relays no exit status, so the last line
# of stdout is the verdict, "ipv6-proxy-check: ...".
set -u
expected="${IPV6_PROXY_EXPECTED_SHA256:-}"
if [[ ! "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  echo "ipv6-proxy-serving-check: IPV6_PROXY_EXPECTED_SHA256 must be 64 lower-case hex digits" >&2
  echo "ipv6-proxy-check: not serving: the config was not applied"
  exit 2
fi

# Wait until cloud-init has finished the first boot: the VM reports ready to
# Azure before cloud-init's final stage installs HAProxy. cloud-init's return
# codes: 0 done, 2 done with recoverable errors, 1 failed
# (cloudinit.readthedocs.io/en/latest/explanation/return_codes.html);
# timeout(1) answers 124.
if command -v cloud-init > /dev/null 2>&1; then
  timeout 900 cloud-init status --wait > /dev/null 2>&1
  ci=$?
  if [ "$ci" -eq 1 ] || [ "$ci" -eq 124 ]; then
    cloud-init status --long >&2 2>&1
    tail -n 25 /var/log/cloud-init-output.log >&2 2> /dev/null
    if [ "$ci" -eq 124 ]; then
      echo "ipv6-proxy-check: not serving: cloud-init is still running after 900 s"
    else
      echo "ipv6-proxy-check: not serving: the first boot failed (cloud-init reports an error)"
    fi
    exit 1
  fi
fi

# Install the config whose userData hash is expected (the apply script
# validates it, and reloads HAProxy only when it changed).
if ! /usr/local/sbin/ipv6-proxy-apply --expect-sha256 "$expected"; then
  echo "ipv6-proxy-check: not serving: the config was not applied"
  exit 1
fi
if ! systemctl is-active --quiet haproxy; then
  systemctl status haproxy --no-pager --lines 15 >&2 2>&1
  echo "ipv6-proxy-check: not serving: haproxy is not running"
  exit 1
fi
echo "ipv6-proxy-check: serving sha256=$expected"
