"""Ownership of legal entities over time: effective shares along chains, foreign look-through."""
