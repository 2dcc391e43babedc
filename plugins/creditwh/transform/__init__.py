"""dbt, as Airflow runs it: one in-process build per business date and each model's status (see dbt.py)."""
