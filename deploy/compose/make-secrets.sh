#!/bin/sh
# Creates the secret files compose mounts (random, once; existing ones are kept). They stay on
# this machine: secrets/ is ignored by git. Replace them with your own where you have them.
#
#   ./make-secrets.sh [CITY_DIR]     (default: the demo city)
#
# The NATS users come from the city's configuration (python -m qn_infra.nats_config): auth.conf
# into nats/, every user's password into secrets/nats.env for the servers, and the services' and
# the admin's passwords into secrets/nats_<user>_password for the clients.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
city="$(cd "${1:-$here/../demo-city}" && pwd)"
python="${PYTHON:-python3}"
"$python" -m qn_infra.nats_config --city-dir "$city" --admin --out "$here/nats/auth.conf"
cd "$here/secrets"
umask 077
[ -s nats.env ] || "$python" -m qn_infra.nats_config --city-dir "$city" --admin --new-secrets nats.env >/dev/null
for name in postgres intake matching scheduling reporting keycloak; do
  [ -s "${name}_db_password" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "${name}_db_password"
done
for name in intake matching scheduling reporting admin; do
  upper="$(echo "$name" | tr '[:lower:]' '[:upper:]')"
  [ -s "nats_${name}_password" ] || sed -n "s/^QN_NATS_PASSWORD_${upper}=//p" nats.env | tr -d '\n' > "nats_${name}_password"
done
[ -s keycloak_admin_password ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > keycloak_admin_password
# the containers run as uid 10001 (services), 70/999 (postgres) and 1000 (keycloak): readable, not writable
chmod 0444 ./*
echo "secrets in $(pwd)"
