"""Open formats of counting: NIST common data formats, read and written (pure; no Django).

- ``nist_cvr`` — cast vote records, NIST SP 1500-103 (``CVR.CastVoteRecordReport``);
- ``nist_err`` — election results, NIST SP 1500-100 v2 (``ElectionResults.ElectionReport``);
- ``schemas`` — the two official JSON Schemas the project carries and validates exports with.
"""
