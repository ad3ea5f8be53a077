"""Biometric templates, matching, national deduplication and polling-station identification."""
