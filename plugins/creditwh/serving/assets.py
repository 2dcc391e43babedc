"""The Asset a served date emits (read at DAG parse time: no heavy imports)."""

from airflow.sdk import Asset

# Emitted by credit_daily.publish_serving when a date's marts are served; schedules credit_docs.
SERVED = Asset("creditwh://serving/published")
