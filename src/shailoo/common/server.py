"""Serving the platform on a results night: gunicorn, several processes, threads in each.

One Python process serves one request at a time per core at best (the GIL), and the public
pages are CPU work (templates, JSON); so ``shailoo serve`` runs a gunicorn arbiter with
``workers`` processes, each with ``threads`` threads (the ``gthread`` worker: a slow reader
holds a thread, not a process). The application is loaded once in the arbiter and the
workers are forked from it (``preload_app``): they start in milliseconds, share the loaded
code's memory, and a broken deployment fails before it takes a port.

What forking asks for, and what is done here:

- **database connections** are closed in the arbiter before each fork (``pre_fork``): a
  SQLite handle or a PostgreSQL socket must never be shared by two processes;
- **threads** do not survive a fork, so nothing that runs a thread may be started in the
  arbiter: background work starts per worker, lazily (election day's gallery warm-up starts
  at a worker's first device request, ``polling.warm``, not at every worker's start: on a
  results night it would spend the CPU the readers need);
- **metrics**: with ``PROMETHEUS_MULTIPROC_DIR`` set before ``prometheus_client`` is first
  imported, each worker writes its counters to files there and ``/metrics`` adds them up
  (``common.metrics``); a worker that exits is marked dead (``child_exit``);
- **logs**: gunicorn's own handlers are removed and its records (the arbiter's messages,
  one access line per request) go to the project's handlers, so they are JSON when
  ``SHAILOO_LOG_FORMAT=json`` and every PIN in a path or query is masked (``common.logs``).

``SIGTERM`` stops the server gracefully: workers finish the requests in hand (up to
``graceful_timeout`` seconds) and exit; ``SIGINT`` (Ctrl-C) stops it at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from shailoo.common.logs import MaskPins

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
WORKERS_ENV = "SHAILOO_WEB_WORKERS"
THREADS_ENV = "SHAILOO_WEB_THREADS"
#: More workers than this buys little on one host and multiplies the memory of each worker's
#: caches (results figures, station galleries); a bigger site adds hosts.
MAX_DEFAULT_WORKERS = 8
DEFAULT_THREADS = 4


def cores() -> int:
    """The CPU cores this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _positive(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} takes a whole number, not {text!r}") from None
    if not 1 <= value <= 256:
        raise ValueError(f"{name} takes 1 to 256, not {value}")
    return value


def default_workers(environ: dict[str, str] | None = None, ncores: int | None = None) -> int:
    """``SHAILOO_WEB_WORKERS`` if set, else 2 × cores + 1 (gunicorn's rule), at most 8."""
    environ = dict(os.environ) if environ is None else environ
    if environ.get(WORKERS_ENV, "").strip():
        return _positive(WORKERS_ENV, environ[WORKERS_ENV].strip())
    return min(2 * (cores() if ncores is None else ncores) + 1, MAX_DEFAULT_WORKERS)


def default_threads(environ: dict[str, str] | None = None) -> int:
    """``SHAILOO_WEB_THREADS`` if set, else 4 threads per worker."""
    environ = dict(os.environ) if environ is None else environ
    if environ.get(THREADS_ENV, "").strip():
        return _positive(THREADS_ENV, environ[THREADS_ENV].strip())
    return DEFAULT_THREADS


def bind_address(host: str, port: int) -> str:
    """gunicorn's ``bind``: ``host:port``, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class MetricsDir:
    """The folder the workers' metric files go to: fresh for each run of the server.

    The operator's ``PROMETHEUS_MULTIPROC_DIR`` is used when set, and its metric files of an
    earlier run are removed (prometheus_client would otherwise add yesterday's counts to
    today's); else a temporary folder is made, and removed when the server stops.
    """

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        given = (os.environ if environ is None else environ).get(MULTIPROC_ENV, "").strip()
        self.owned = not given
        # A worker leaves through the arbiter's frames it was forked in (their `finally`):
        # only the process that made the folder removes it.
        self.maker = os.getpid()
        self.path = Path(given) if given else Path(tempfile.mkdtemp(prefix="shailoo-metrics-"))
        self.path.mkdir(parents=True, exist_ok=True)
        if given:
            for stale in self.path.glob("*.db"):
                stale.unlink(missing_ok=True)

    def remove(self) -> None:
        if self.owned and os.getpid() == self.maker:
            shutil.rmtree(self.path, ignore_errors=True)


class ProjectLogger(Logger):
    """gunicorn's logger with the project's handlers: no handler of its own, PINs masked.

    The records propagate to the root logger, which ``settings.LOGGING`` gives the masked
    console handler (JSON when ``SHAILOO_LOG_FORMAT=json``). An access line carries its
    parts as fields too (``method``, ``path``, ``status``, ``duration_ms``...), which the
    JSON formatter writes as keys for a collector.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True
            if not any(isinstance(f, MaskPins) for f in log.filters):
                log.addFilter(MaskPins())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        elapsed: timedelta = request_time
        status = str(resp.status).split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        fields = {
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD", "-"),
            "path": path,
            "status": int(status) if status.isdigit() else status,
            "bytes": sent if isinstance(sent, int) else 0,
            "duration_ms": round(elapsed.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT", "-"),
        }
        message = '%(remote)s "%(method)s %(path)s" %(status)s %(bytes)s %(duration_ms)sms'
        try:
            self.access_log.info(message, fields, extra={"access": True, **fields})
        except Exception:  # a log line must never fail a request
            self.error_log.exception("access log line failed")


Hook = Callable[[], None]


@dataclass
class ServerOptions:
    """What ``shailoo serve`` sets; gunicorn's defaults for the rest."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    threads: int = DEFAULT_THREADS
    #: Seconds a worker has to finish its requests after SIGTERM (or a restart).
    graceful_timeout: int = 30
    #: Seconds a silent worker is given before the arbiter kills and replaces it.
    timeout: int = 60
    keepalive: int = 5
    access_log: bool = True
    log_level: str = "warning"
    #: Run in the arbiter once it has stopped.
    on_exit: list[Hook] = field(default_factory=list)

    def settings(self) -> dict[str, Any]:
        return {
            "bind": [bind_address(self.host, self.port)],
            "workers": self.workers,
            "threads": self.threads,
            "worker_class": "gthread",
            "preload_app": True,
            "graceful_timeout": self.graceful_timeout,
            "timeout": self.timeout,
            "keepalive": self.keepalive,
            "accesslog": "-" if self.access_log else None,
            "errorlog": "-",
            "loglevel": self.log_level.lower(),
            "logger_class": ProjectLogger,
            "proc_name": "shailoo",
            # One control socket per user's home would be shared by every server and test run.
            "control_socket_disable": True,
        }


STAMP = ".shailoo-collected"


def _static_fingerprint(backend: str) -> str:
    """What the collected files were made from: every source file's name, size and time."""
    from django.contrib.staticfiles import finders

    rows = [backend]
    for finder in finders.get_finders():
        for name, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(name))
            rows.append(
                f"{getattr(storage, 'prefix', '') or ''}/{name}|{stat.st_size}|{stat.st_mtime_ns}"
            )
    return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


def collect_static() -> bool:
    """Collect the static files when a source changed since the last run; whether it ran.

    Only with the manifest storage (``SHAILOO_STATIC_MANIFEST``): hashing and compressing
    every file (the API docs' bundles are megabytes) takes seconds, so a restart with the
    same sources reuses what is there. Two servers starting at once on one ``VAR_DIR`` take
    turns (a file lock).
    """
    from django.conf import settings
    from django.core.management import call_command

    backend = str(settings.STORAGES["staticfiles"]["BACKEND"])
    if not getattr(settings, "STATIC_MANIFEST", False):
        return False
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".collect.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = root / STAMP
        wanted = _static_fingerprint(backend)
        manifest = root / "staticfiles.json"
        if manifest.exists() and stamp.exists() and stamp.read_text() == wanted:
            return False
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(wanted)
        return True


def preload() -> int:
    """Do in the arbiter what each worker would otherwise do at its first request.

    Django imports the URL map (every view, and numpy, faiss and the rest behind them)
    and compiles each template at first use; done once here before the fork, the workers
    share it, answer their first request at once, and a replaced worker is ready as soon as
    it is forked. Returns how many templates were compiled; one that does not compile is
    left for its page to report.
    """
    from django.conf import settings
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for code, _ in settings.LANGUAGES:  # the translation catalogues, and the URL map's reverse
        with translation.override(code):
            _ = resolver.reverse_dict
    own = Path(settings.BASE_DIR)
    compiled = 0
    for engine in engines.all():
        for folder in map(Path, getattr(engine, "template_dirs", ())):
            if not folder.is_relative_to(own):
                continue
            for path in sorted(folder.rglob("*.html")):
                try:
                    engine.get_template(path.relative_to(folder).as_posix())
                    compiled += 1
                except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
                    logging.getLogger("shailoo.server").warning("template %s: %s", path, exc)
    return compiled


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


def _mark_dead(pid: int) -> None:
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


class ShailooServer(BaseApplication):
    """A gunicorn application serving ``application`` (already loaded) with ``options``."""

    def __init__(self, application: Callable[..., Any], options: ServerOptions) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.settings().items():
            self.cfg.set(key, value)
        options = self.options

        def pre_fork(server: Any, worker: Any) -> None:
            _close_connections()

        def post_fork(server: Any, worker: Any) -> None:
            _close_connections()  # none should be open; never reuse one across a fork

        def child_exit(server: Any, worker: Any) -> None:
            _mark_dead(worker.pid)

        def on_exit(server: Any) -> None:
            for hook in options.on_exit:
                hook()

        for name, hook in (
            ("pre_fork", pre_fork),
            ("post_fork", post_fork),
            ("child_exit", child_exit),
            ("on_exit", on_exit),
        ):
            self.cfg.set(name, hook)

    def load(self) -> Callable[..., Any]:
        return self.application


def run(application: Callable[..., Any], options: ServerOptions) -> None:
    """Serve until stopped (SIGTERM: gracefully; SIGINT: at once)."""
    _close_connections()
    logging.getLogger("shailoo.server").info(
        "serving on %s with %d workers x %d threads",
        bind_address(options.host, options.port),
        options.workers,
        options.threads,
    )
    ShailooServer(application, options).run()
