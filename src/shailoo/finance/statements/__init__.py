"""Bank statements of election funds: camt.053 (any version) and CSV, read into one model."""
