"""Accounts: users, roles with territorial scope, MFA, access to personal data, encryption."""
