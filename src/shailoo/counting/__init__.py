"""Counting: ballots, optical mark reading, cast vote records, protocols, results, seats, audits."""
