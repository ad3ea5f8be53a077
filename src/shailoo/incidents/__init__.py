"""Rapid-response coordination groups: one door for complaints and alerts, cases with legal
deadlines, decisions, and telling citizens what was done.

The map: ``categories`` (what a case is about, and who handles it by default), ``deadlines``
(pure: the law's clocks), ``open311`` (pure: the GeoReport v2 formats), ``clock`` (the time the
domain reads, controllable in tests), ``models``, ``services`` (intake, the internal alert
API, routing, decisions, reminders and escalation), ``cli``.
"""
