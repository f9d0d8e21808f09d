#!/bin/sh
# Runs once, when the PostgreSQL container starts on an empty data volume
# (/docker-entrypoint-initdb.d). Creates one database per partner subgraph and one for the
# access log, each owned by its own login role with its own password: a subgraph's
# credentials open its own database and nothing else (CONNECT is revoked from PUBLIC).
# The subgraph creates its schema and tables itself on start (its migrations).
#
# Passwords come from the container's environment (docker-compose.yml passes
# <NAME>_DB_PASSWORD from .env). To add a partner: one create_database line here, one
# service in docker-compose.yml. On an existing volume this script does not run again:
# create the new database by hand with the same statements.
set -eu

create_database() {
  name="$1"
  password="$2"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
  echo "init-databases: database $name owned by role $name"
}

create_database dtv "${DTV_DB_PASSWORD:?DTV_DB_PASSWORD is required}"
create_database dji "${DJI_DB_PASSWORD:?DJI_DB_PASSWORD is required}"
create_database dvo "${DVO_DB_PASSWORD:?DVO_DB_PASSWORD is required}"
create_database coa "${COA_DB_PASSWORD:?COA_DB_PASSWORD is required}"
create_database medical "${MEDICAL_DB_PASSWORD:?MEDICAL_DB_PASSWORD is required}"
# The privacy office's access log (the audit service).
create_database audit "${AUDIT_DB_PASSWORD:?AUDIT_DB_PASSWORD is required}"
