"""The `creditwh serving` commands: `init` (roles, database, schemas, grants) and `publish --date D`."""

from __future__ import annotations

import datetime as dt
import os

from creditwh.config import Settings
from creditwh.errors import PipelineError
from creditwh.serving.settings import ServingNotConfigured, serving_settings


def run(command: str, settings: Settings, business_date: dt.date | None) -> list[str]:
    target = serving_settings()
    if command == "init":
        from creditwh.serving.roles import init_serving

        admin = os.environ.get("CREDITWH_SERVING_ADMIN_USER")
        if not admin:
            raise ServingNotConfigured("serving init needs CREDITWH_SERVING_ADMIN_USER (and _ADMIN_PASSWORD): a role "
                                       "that may create databases and roles")  # fmt: skip
        return init_serving(target, admin, os.environ.get("CREDITWH_SERVING_ADMIN_PASSWORD") or None)
    if business_date is None:
        raise PipelineError("serving publish needs --date YYYY-MM-DD")
    from creditwh.serving.publish import publish_date

    done = publish_date(settings.warehouse_path, settings.data_dir / "serving_staging", target, business_date)
    rows, seconds = sum(done["rows"].values()), done["transaction_seconds"]
    return [f"served {business_date} to {target.describe()}: {rows} rows, one transaction of {seconds} s"]
