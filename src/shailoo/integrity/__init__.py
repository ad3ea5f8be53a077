"""Integrity: the tamper-evident ledger's pure engines (Merkle tree, canonical JSON)."""
