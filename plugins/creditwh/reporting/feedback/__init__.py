"""Bureau feedback: a bureau's rejections of a submitted file, in the project's normalised format (spec.py),
validated against what the outbox published (parser.py), loaded keyed by the submitted file (loader.py), and
re-sent by the bureau's next publication through its own correction path (corrections.py).
docs/bureau-feedback.md describes the format and the flow."""

from creditwh.reporting.feedback.loader import load_feedback
from creditwh.reporting.feedback.parser import FeedbackRejected

__all__ = ["FeedbackRejected", "load_feedback"]
