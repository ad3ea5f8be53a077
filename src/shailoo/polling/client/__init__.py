"""The reference station-device client: what an identification device at a polling station runs.

Pure (no Django): it talks to the server only over the signed HTTP API (``/api/polling/``),
so the same code drives a real tablet, the simulator (``shailoo.demo.device_sim``), the tests
and the benchmark.

- :mod:`.state` — the device's persistent state directory: keys, configuration, the request
  sequence and clock, the offline queue, the set of voters it knows have a ballot, the package;
- :mod:`.transport` — signed HTTP (``shailoo-request/1``) with keep-alive, the server-time
  header, the one stale-timestamp retry that corrects a wrong clock, and :class:`Offline`;
- :mod:`.captures` — templates as the capture hardware delivers them, decoded as the server
  decodes them; the probe of an offline check-in;
- :mod:`.station_package` — the sealed station package verified, opened and indexed: the
  list, the PIN hashes, the gallery and the rules an offline decision needs;
- :mod:`.checkin_request` — a check-in request checked before it is sent, the outcome codes;
- :mod:`.offline_decision` — a check-in decided from the package when the server is out of
  reach, queued on disk before the answer is shown;
- :mod:`.sync` — the offline queue sent in order and in batches once the network is back;
- :mod:`.device` — :class:`StationDevice`: package, opening, check-in online or offline,
  sync, closing — the one object a tablet or a simulator drives;
- :mod:`.tablet` — the small local web page for the commission member (127.0.0.1 only).
"""
