"""`creditwh serving init`: the serving database, its schemas, roles and grants, created idempotently.

- creditwh_writer      the pipeline: owns schemas bi, collections and serving (the publication log) and
                       every table in them (it creates them when it publishes).
- creditwh_bi_reader   SELECT on schema bi only (the BI tools' login; Superset reads as it).
- creditwh_collections SELECT on schemas collections and bi (the collections team's contact lists).
PUBLIC loses its default rights on the database and schema public, so a role sees only what it is
granted. Nothing raw, restricted or reporting ever leaves DuckDB: the serving database holds only bi and
collections. Run as a role that may create databases and roles (CREDITWH_SERVING_ADMIN_USER); run again
after a password change: it sets the passwords from the environment each time.
"""

from __future__ import annotations

import logging

from creditwh.serving.settings import (
    BI_READER_ROLE,
    BI_SCHEMA,
    COLLECTIONS_ROLE,
    COLLECTIONS_SCHEMA,
    META_SCHEMA,
    WRITER_ROLE,
    ServingSettings,
    role_password,
)

log = logging.getLogger(__name__)

# role -> the CREDITWH_SERVING_<X>_PASSWORD variable that holds its password
ROLES = {WRITER_ROLE: "WRITER", BI_READER_ROLE: "BI_READER", COLLECTIONS_ROLE: "COLLECTIONS"}
READS = {BI_READER_ROLE: [BI_SCHEMA], COLLECTIONS_ROLE: [COLLECTIONS_SCHEMA, BI_SCHEMA]}


def init_serving(target: ServingSettings, admin_user: str, admin_password: str | None = None) -> list[str]:
    """Create (or bring up to date) the roles, the database, its schemas and grants; lines for the operator."""
    import psycopg
    from psycopg import sql

    lines = []
    with psycopg.connect(
        target.conninfo(admin_user, admin_password, database="postgres"), autocommit=True
    ) as admin:
        # roles are global to the PostgreSQL cluster: two inits at once (two operators, parallel test workers)
        # would both see a role missing and both create it; the second one waits here instead (released with
        # the connection)
        admin.execute("select pg_advisory_lock(hashtext('creditwh serving init'))")
        for role, env in ROLES.items():
            exists = admin.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
            verb = "alter" if exists else "create"
            password = role_password(env)
            # a utility statement takes no bind parameters: the password goes in as a quoted literal
            statement = sql.SQL("{} role {} login nosuperuser nocreatedb nocreaterole noinherit").format(
                sql.SQL(verb), sql.Identifier(role)
            )
            if password is not None:
                statement = sql.SQL("{} password {}").format(statement, sql.Literal(password))
            admin.execute(statement)
            said = "password set" if password else f"password unchanged (no CREDITWH_SERVING_{env}_PASSWORD)"
            lines.append(f"role {role}: {'updated' if exists else 'created'}, {said}")
        exists = admin.execute("select 1 from pg_database where datname = %s", [target.database]).fetchone()
        if not exists:
            admin.execute(sql.SQL("create database {} owner {}").format(
                sql.Identifier(target.database), sql.Identifier(WRITER_ROLE)))  # fmt: skip
            lines.append(f"database {target.database}: created")
        db = sql.Identifier(target.database)
        admin.execute(sql.SQL("revoke all on database {} from public").format(db))
        for role in ROLES:
            admin.execute(sql.SQL("grant connect on database {} to {}").format(db, sql.Identifier(role)))
    with (
        psycopg.connect(target.conninfo(admin_user, admin_password), autocommit=True) as admin,
        admin.transaction(),
    ):
        admin.execute("revoke all on schema public from public")
        writer = sql.Identifier(WRITER_ROLE)
        for schema in (BI_SCHEMA, COLLECTIONS_SCHEMA, META_SCHEMA):
            admin.execute(sql.SQL("create schema if not exists {} authorization {}").format(
                sql.Identifier(schema), writer))  # fmt: skip
            admin.execute(sql.SQL("alter schema {} owner to {}").format(sql.Identifier(schema), writer))
            admin.execute(sql.SQL("revoke all on schema {} from public").format(sql.Identifier(schema)))
        for role, schemas in READS.items():
            for schema in schemas:
                names = sql.Identifier(schema), sql.Identifier(role)
                admin.execute(sql.SQL("grant usage on schema {} to {}").format(*names))
                admin.execute(sql.SQL("grant select on all tables in schema {} to {}").format(*names))
                # tables the writer creates later (a new mart) are readable at once
                admin.execute(sql.SQL("alter default privileges for role {} in schema {} grant select on tables to {}")
                              .format(writer, *names))  # fmt: skip
        lines.append(f"database {target.database}: schemas {BI_SCHEMA}, {COLLECTIONS_SCHEMA}, {META_SCHEMA} "
                     f"owned by {WRITER_ROLE}; {BI_READER_ROLE} reads {BI_SCHEMA}; {COLLECTIONS_ROLE} reads "
                     f"{COLLECTIONS_SCHEMA} and {BI_SCHEMA}")  # fmt: skip
    return lines
