"""dbt, as Airflow runs it: the Cosmos task group and the parsed manifest it renders from."""
