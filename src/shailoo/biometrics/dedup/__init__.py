"""National 1:N deduplication: approximate shortlists, exact confirmation, adjudication."""
