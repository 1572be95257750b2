#!/bin/sh
# Runs once, when the PostgreSQL volume is new: one role and one database per service, each
# reachable only by its own role (and the superuser). Passwords come from the mounted secrets.
set -eu

for name in intake matching scheduling reporting keycloak; do
  password=$(cat "/run/secrets/${name}_db_password")
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
done
