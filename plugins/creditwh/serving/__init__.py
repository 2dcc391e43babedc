"""BI serving: the masked marts of each business date published to PostgreSQL, with real access control.

DuckDB has one writer, and whoever can open its file can read schema restricted; BI tools therefore
read a PostgreSQL copy of schema marts (serving schema bi), published after the marts gate passed, one
transaction per date (publish.py), with roles that can read nothing else (roles.py). docs/serving.md
is the operator's guide.
"""
