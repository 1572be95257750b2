#!/bin/sh
# Creates the secret files compose mounts (random, once; existing ones are kept). They stay on
# this machine: secrets/ is ignored by git. Replace them with your own where you have them.
set -eu
cd "$(dirname "$0")/secrets"
umask 077
for name in postgres intake matching scheduling reporting keycloak; do
  [ -s "${name}_db_password" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "${name}_db_password"
done
for name in intake matching scheduling reporting streams; do
  [ -s "nats_${name}_password" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "nats_${name}_password"
done
[ -s keycloak_admin_password ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > keycloak_admin_password
# the containers run as uid 10001 (services), 70/999 (postgres) and 1000 (keycloak): readable, not writable
chmod 0444 ./*
echo "secrets in $(pwd)"
