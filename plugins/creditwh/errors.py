"""Pipeline errors. Each names the file, row and rule so a 3 a.m. operator knows what to fix."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base class. `retriable` tells the orchestrator whether trying again can help: the DAGs' retry policy
    (creditwh.pipeline.policy) retries exactly the retriable classes of this module, so a retriable error
    belongs here, and nowhere else."""

    retriable = False


class DropRejected(PipelineError):
    """The day's drop breaks the input contract. Retrying cannot help: the platform must re-deliver."""

    def __init__(self, file: Path | str, rule: str, detail: str, row: int | None = None):
        self.file, self.rule, self.detail, self.row = str(file), rule, detail, row
        where = f"{self.file}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: rule '{rule}' failed: {detail}")


class DropNotArrived(PipelineError):
    """No manifest yet: the drop is incomplete or late. Worth waiting for."""

    retriable = True


class DropMissing(PipelineError):
    """No manifest for a date run by hand, which does not wait for it: say so at once instead of polling."""

    def __init__(self, business_date, manifest: Path):
        self.business_date, self.manifest = business_date, manifest
        super().__init__(
            f"no drop for {business_date} in {manifest.parent}: {manifest.name} is missing "
            "(the card platform writes it last, once the day's files are complete)"
        )


class DbtBuildError(PipelineError):
    """dbt itself could not run (lock held, connection refused …), as opposed to a model failing: retry."""

    retriable = True


class DbtModelFailed(PipelineError):
    """A model or one of its error-severity tests failed: retrying on the same data cannot help."""
