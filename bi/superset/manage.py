"""Superset for creditwh: set up its metadata database and import the dashboards kept as code.

Run with the Superset environment's Python (bi/superset/.venv, `uv sync --locked --project bi/superset`);
SUPERSET_CONFIG_PATH defaults to bi/superset/superset_config.py:

  python bi/superset/manage.py setup     init, then import
  python bi/superset/manage.py init      migrate the metadata database, sync roles and permissions, create
                                         the admin user if missing
  python bi/superset/manage.py import    import bi/superset/assets/ only (after editing the YAML)
  python bi/superset/manage.py bundle OUT.zip
                                         write the assets as the ZIP Superset's own import takes (UI, REST
                                         /api/v1/dashboard/import/, `superset import-dashboards`)
  python bi/superset/manage.py export    export the imported dashboards back into bi/superset/assets/ (after
                                         changing them in the UI), normalised so the diff shows only the change

Environment:
  CREDITWH_SERVING_BI_URI   SQLAlchemy URI of the serving database as the BI reader role, password included
                            (default: the local server, postgresql+psycopg2://creditwh_bi_reader@127.0.0.1:5432/
                            creditwh_serving). Replaces the URI in assets/databases/ at import; exports never
                            hold it.
  SUPERSET_ADMIN_USERNAME   admin user created by `setup` (default admin)
  SUPERSET_ADMIN_PASSWORD   its password; required when SUPERSET_ENV=production. Elsewhere a password is
                            generated once per install into <data dir>/superset/admin_password (mode 0600).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
import zipfile
from pathlib import Path

import yaml

ASSETS = Path(__file__).resolve().parent / "assets"
BUNDLE_ROOT = "creditwh_dashboards"
DATABASE_FILE = "databases/creditwh_serving.yaml"
# Keys Superset adds to an export that depend on the installation (ids) or on the moment.
_VOLATILE_PARAMS = ("datasource", "slice_id", "dashboards")


class MissingSetting(RuntimeError):
    """A setting production must provide is not set."""


def asset_files() -> dict[str, str]:
    """The asset YAML by path relative to assets/, in a stable order."""
    return {p.relative_to(ASSETS).as_posix(): p.read_text() for p in sorted(ASSETS.rglob("*.yaml"))}


def contents(serving_uri: str | None = None) -> dict[str, str]:
    """The import contents (path -> YAML text), with the serving URI from the environment."""
    files = asset_files()
    uri = serving_uri or os.environ.get("CREDITWH_SERVING_BI_URI", "").strip()
    if uri:
        database = yaml.safe_load(files[DATABASE_FILE])
        database["sqlalchemy_uri"] = uri
        files[DATABASE_FILE] = yaml.safe_dump(database, sort_keys=False, allow_unicode=True)
    return files


def bundle(out: Path, serving_uri: str | None = None) -> Path:
    """The assets as a Superset import ZIP (fixed timestamps: the same assets give the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in contents(serving_uri).items():
            info = zipfile.ZipInfo(f"{BUNDLE_ROOT}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, text.encode())
    out.write_bytes(buffer.getvalue())
    return out


def _data_dir() -> Path:
    repo = Path(__file__).resolve().parents[2]
    return Path(os.environ.get("CREDITWH_DATA_DIR") or repo / "var") / "superset"


def admin_password() -> str:
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD", "").strip()
    if password:
        return password
    if os.environ.get("SUPERSET_ENV") == "production":
        raise MissingSetting(
            "SUPERSET_ADMIN_PASSWORD is not set: production Superset needs the admin's password"
        )
    path = _data_dir() / "admin_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(12))
    return path.read_text().strip()


def _app():
    from superset.app import create_app

    return create_app()


def _import_assets(files: dict[str, str]) -> None:
    """Each kind with its own importer and overwrite, replacing what an earlier import created (same UUIDs):
    the dashboard importer alone never updates an existing database, dataset or chart. Every dataset is
    imported, also those no chart uses yet (for analysts)."""
    from superset import security_manager
    from superset.commands.chart.importers.v1 import ImportChartsCommand
    from superset.commands.dashboard.importers.v1 import ImportDashboardsCommand
    from superset.commands.database.importers.v1 import ImportDatabasesCommand
    from superset.commands.dataset.importers.v1 import ImportDatasetsCommand
    from superset.utils.core import override_user

    admin = security_manager.find_user(username=os.environ.get("SUPERSET_ADMIN_USERNAME", "admin"))

    def only(prefixes: tuple[str, ...], kind: str) -> dict[str, str]:
        metadata = yaml.safe_dump({**yaml.safe_load(files["metadata.yaml"]), "type": kind})
        return {"metadata.yaml": metadata, **{k: v for k, v in files.items() if k.startswith(prefixes)}}

    with override_user(admin):
        ImportDatabasesCommand(only(("databases/",), "Database"), overwrite=True).run()
        ImportDatasetsCommand(only(("databases/", "datasets/"), "SqlaTable"), overwrite=True).run()
        ImportChartsCommand(only(("databases/", "datasets/", "charts/"), "Slice"), overwrite=True).run()
        ImportDashboardsCommand(files, overwrite=True).run()


def _init() -> None:
    import flask_migrate
    from superset import appbuilder, db, security_manager

    flask_migrate.upgrade()
    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    username = os.environ.get("SUPERSET_ADMIN_USERNAME", "admin")
    if security_manager.find_user(username=username) is None:
        security_manager.add_user(
            username, "creditwh", "admin", f"{username}@localhost", security_manager.find_role("Admin"),
            password=admin_password(),
        )  # fmt: skip
    db.session.commit()


def _import() -> None:
    from superset import db

    _import_assets(contents())
    db.session.commit()


def init() -> None:
    """Metadata migrations, roles and permissions, the admin user (idempotent)."""
    with _app().app_context():
        _init()


def import_only() -> None:
    with _app().app_context():
        _import()


def setup() -> None:
    with _app().app_context():
        _init()
        _import()


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (SQL, the saved query) as literal blocks, so a diff shows the changed line."""


_Dumper.add_representer(
    str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
)


def _dump(config: dict) -> str:
    return yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _normalise(name: str, config: dict) -> dict:
    """An export made comparable with the committed YAML: no installation ids, no connection password, the
    saved query as indented JSON (the importer fills in the dataset's id and the form data)."""
    if name.startswith("databases/"):
        config["sqlalchemy_uri"] = yaml.safe_load(asset_files()[DATABASE_FILE])["sqlalchemy_uri"]
    if name.startswith("charts/"):
        for key in _VOLATILE_PARAMS:
            config.get("params", {}).pop(key, None)
        if config.get("query_context"):
            query = json.loads(config["query_context"])
            query["datasource"] = {"id": 0, "type": "table"}
            query["form_data"] = {}
            for each in query.get("queries", []):
                each.pop("datasource", None)
            config["query_context"] = json.dumps(query, indent=2, ensure_ascii=False) + "\n"
    if name.startswith("dashboards/"):
        for item in config.get("position", {}).values():
            if isinstance(item, dict) and "chartId" in item.get("meta", {}):
                item["meta"]["chartId"] = 0
        config.get("metadata", {}).pop("positions", None)
    return config


def export() -> None:
    """Export every dashboard that came from the assets back into assets/ (file names kept by UUID)."""
    by_uuid = {}
    for name, text in asset_files().items():
        config = yaml.safe_load(text)
        if isinstance(config, dict) and "uuid" in config:
            by_uuid[str(config["uuid"])] = name
    with _app().app_context():
        # Superset's models can be imported only once the app exists.
        from superset import db, security_manager
        from superset.commands.dashboard.export import ExportDashboardsCommand
        from superset.models.dashboard import Dashboard
        from superset.utils.core import override_user

        admin = security_manager.find_user(username=os.environ.get("SUPERSET_ADMIN_USERNAME", "admin"))
        ids = [d.id for d in db.session.query(Dashboard).all() if str(d.uuid) in by_uuid]
        with override_user(admin):
            exported = [(name, content()) for name, content in ExportDashboardsCommand(ids).run()]
        for exported_name, text in exported:
            if exported_name == "metadata.yaml":
                continue
            config = yaml.safe_load(text)
            name = by_uuid.get(str(config.get("uuid")), exported_name)
            (ASSETS / name).parent.mkdir(parents=True, exist_ok=True)
            (ASSETS / name).write_text(_dump(_normalise(name, config)))
            print(f"wrote {name}")


def main(argv: list[str]) -> int:
    os.environ.setdefault("SUPERSET_CONFIG_PATH", str(Path(__file__).resolve().parent / "superset_config.py"))
    commands = {"setup": setup, "init": init, "import": import_only, "export": export}
    if len(argv) == 2 and argv[0] == "bundle":
        print(bundle(Path(argv[1])))
        return 0
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
