"""Template filters of the campaign-finance pages."""
