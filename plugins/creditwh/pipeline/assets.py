"""Airflow Assets that connect the DAGs."""

from airflow.sdk import Asset

# Emitted by credit_daily when a month-end business date has passed the marts gate; schedules the bureau DAG.
MONTH_END = Asset("creditwh://marts/month_end")
