"""Risk-limiting audits: sample sizes, a reproducible sampler, recorded audits and stopping."""
