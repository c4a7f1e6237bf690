#!/usr/bin/env bash
# Start the local services the tests use when they are down. Tests that still cannot reach one fail
# with a clear message (see komando/conftest.py); nothing is skipped silently.
set -u

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! port_open 5432; then
  echo "PostgreSQL is down: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! port_open 6379; then
  echo "Redis is down: starting it"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! port_open 1883; then
  echo "Mosquitto is down: starting it"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
fi
for _ in $(seq 1 30); do
  port_open 5432 && port_open 6379 && port_open 1883 && exit 0
  sleep 1
done
echo "warning: a service is still down after 30 s; the tests that need it will say so" >&2
exit 0
