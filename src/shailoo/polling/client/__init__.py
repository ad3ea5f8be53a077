"""The reference station-device client: what an identification device at a polling station runs.

Pure (no Django): it talks to the server only over the signed HTTP API (``/api/polling/``),
so the same code drives a real tablet, the simulator (``shailoo.demo.device_sim``), the tests
and the benchmark.

- :mod:`.state` — the device's persistent state directory: keys, configuration, the request
  sequence and clock, the offline queue, the set of voters it knows have a ballot, the package;
- :mod:`.transport` — signed HTTP (``shailoo-request/1``) with keep-alive, the server-time
  header, the one stale-timestamp retry that corrects a wrong clock, and :class:`Offline`;
- :mod:`.device` — :class:`StationDevice`: package, opening, check-in online or offline,
  sync, closing;
- :mod:`.tablet` — the small local web page for the commission member (127.0.0.1 only).
"""
