"""Where a day's snapshots come from: file drops (landing/) or a SQL source database (postgres.py)."""
