"""What the DAG's tasks do: thin functions over the modules, small return values for XCom."""
