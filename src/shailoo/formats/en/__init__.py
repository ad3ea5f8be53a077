"""See shailoo.formats."""
