"""The documentation site people open: dbt docs (models, columns, lineage, with the catalog of the built
warehouse) and the Great Expectations Data Docs (every stored validation result), one static site under
`<data>/site/`:

    site/index.html    links to both, with the time of the build
    site/dbt/          `dbt docs generate --static` (one self-contained page)
    site/gx/           the Data Docs site (creditwh.quality.build_data_docs)

Each build is written to a new directory and published by replacing the `site` symlink (os.replace, atomic):
a reader of the site never sees half a build, and a failed build leaves the previous site in place.
`./dev docs` serves it (a static HTTP server); the compose service `docs` does the same.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import tempfile
from pathlib import Path

from creditwh.config import Settings
from creditwh.errors import PipelineError

SITE_LINK = "site"
KEEP_BUILDS = 2  # the live one and the previous one (a reader may still be on it)


class DocsBuildFailed(PipelineError):
    """The docs site could not be rebuilt; the previous site stays published."""


def site_dir(settings: Settings) -> Path:
    return settings.data_dir / SITE_LINK


def build_site(settings: Settings) -> Path:
    """Rebuild the whole site and publish it; the path of its index page."""
    from creditwh.quality import build_data_docs

    builds = settings.data_dir / "site_builds"
    builds.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC)
    build = Path(tempfile.mkdtemp(prefix=f"{stamp:%Y%m%dT%H%M%S}-", dir=builds))
    _dbt_docs(settings, build / "dbt")
    gx_index = build_data_docs(settings)
    shutil.copytree(gx_index.parent, build / "gx")
    (build / "index.html").write_text(_index_page(stamp), encoding="utf-8")
    build.chmod(0o755 & ~_umask())
    link = site_dir(settings)
    staged = link.with_name(f".{SITE_LINK}.new")
    staged.unlink(missing_ok=True)
    staged.symlink_to(build.relative_to(link.parent))
    if link.exists() and not link.is_symlink():  # a directory someone made by hand: keep it beside
        link.rename(link.with_name(f"{SITE_LINK}.before-{stamp:%Y%m%dT%H%M%S}"))
    os.replace(staged, link)
    for old in sorted(p for p in builds.iterdir() if p.is_dir())[:-KEEP_BUILDS]:
        shutil.rmtree(old, ignore_errors=True)
    return link / "index.html"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _dbt_docs(settings: Settings, out: Path) -> None:
    from dbt.cli.main import dbtRunner

    from creditwh.transform.dbt import PROJECT_DIR, dbt_env, release_dbt_connection

    os.environ.update(dbt_env(settings))
    with tempfile.TemporaryDirectory(prefix="dbt-docs-", dir=settings.data_dir) as tmp:
        args = ["docs", "generate", "--static", "--project-dir", str(PROJECT_DIR), "--profiles-dir",
                str(PROJECT_DIR), "--target-path", tmp, "--log-path", tmp, "--quiet"]  # fmt: skip
        try:
            result = dbtRunner().invoke(args)
        finally:
            release_dbt_connection()
        page = Path(tmp) / "static_index.html"
        if not result.success or not page.exists():
            raise DocsBuildFailed(
                f"dbt docs generate failed: {result.exception or 'no static_index.html written'}"
            )
        out.mkdir(parents=True)
        shutil.copy(page, out / "index.html")


def _index_page(stamp: dt.datetime) -> str:
    when = html.escape(f"{stamp:%Y-%m-%d %H:%M:%S} UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>creditwh docs</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>creditwh documentation</h1>
<ul>
<li><a href="dbt/index.html">dbt docs</a>: models, columns, tests and lineage, with the catalog of the warehouse</li>
<li><a href="gx/index.html">Data Docs</a>: every Great Expectations validation result of the gates</li>
</ul>
<p>Built {when}, after the latest daily run.</p>
</body></html>
"""


DOCS_URL_ENV = "CREDITWH_DOCS_URL"


def docs_links() -> str:
    """Where an alert's reader finds the docs: CREDITWH_DOCS_URL (the `docs` server as people reach it),
    else the site's index file under the data directory."""
    base = os.environ.get(DOCS_URL_ENV, "").rstrip("/")
    if not base:
        base = (Settings.from_env().data_dir / SITE_LINK).as_uri()
    return f"{base}/index.html (dbt docs: {base}/dbt/index.html, Data Docs: {base}/gx/index.html)"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, build_missing: bool = True) -> None:
    """Serve the site over HTTP until interrupted (building it first when there is none yet, unless told
    not to: the compose service waits for credit_docs). Local by default: the Data Docs show sample
    failing values, which may be personal data."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    if build_missing and not (site_dir(settings) / "index.html").exists():
        print(f"no docs site yet under {site_dir(settings)}: building it", flush=True)
        build_site(settings)
    # the directory is resolved per request: a rebuild (a new symlink target) shows without a restart
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site_dir(settings)))
    with ThreadingHTTPServer((host, port), handler) as server:
        print(f"docs site: http://{host}:{port}/ (dbt docs, Data Docs); Ctrl-C stops", flush=True)
        server.serve_forever()
