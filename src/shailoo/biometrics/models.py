"""Models: see the domain package docstring."""
