"""The screen: each flag a pure function of the donations and the facts of the registries."""
