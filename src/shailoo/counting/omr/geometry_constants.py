"""How the reader scores an oval, as numbers the synthetic-ballot maker also needs.

A mark's score is the share of the oval's scored interior that lies within :data:`MARK_SPREAD`
points of voter ink. The printed outline, and a band of :data:`OUTLINE_BAND` points either side
of its centre line, is removed before spreading, so the blank oval's own ink (blurred, or a
fraction of a point off after registration) never counts; the scored interior stops
``MARK_SPREAD`` short of that band for the same reason. Spreading the ink a little makes a tick
or a cross drawn with a thin pen count as the voter meant it (a stroke through the oval) rather
than by its few inked pixels, while a speck or a short hesitation line stays small and lands
between the thresholds, where a human decides. The synthetic-ballot maker sizes its
deliberately marginal marks with the same numbers.
"""

from __future__ import annotations

import math

from shailoo.counting.ballots import layout as lay

#: Points of spread around voter ink when scoring (see module docstring).
MARK_SPREAD = 0.7
#: Half-width, points, of the band around the outline's centre line that is never voter ink.
OUTLINE_BAND = 1.5
#: Semi-axes, points, of the scored interior.
INTERIOR_A = lay.OVAL_WIDTH / 2 - OUTLINE_BAND - MARK_SPREAD - 0.2
INTERIOR_B = lay.OVAL_HEIGHT / 2 - OUTLINE_BAND - MARK_SPREAD - 0.2
INTERIOR_AREA = math.pi * INTERIOR_A * INTERIOR_B
#: Darkness (1 - grey / paper) above which a sample counts as ink.
INK_DARKNESS = 0.25
#: Samples per point when an oval is measured (about 216 dpi whatever the scan resolution).
SAMPLES_PER_PT = 3.0
