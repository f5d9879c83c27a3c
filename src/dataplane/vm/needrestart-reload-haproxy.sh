#!/bin/sh
# azure-ipv6-proxy: /etc/needrestart/restart.d/haproxy.service. needrestart runs
# this instead of "systemctl restart haproxy.service" after an upgrade of a
# library HAProxy uses. A reload re-executes HAProxy with the new libraries and
# keeps every connection; a restart would drop them all.
exec systemctl reload haproxy.service
