"""One engine for all parallel work: jobs run on Dask workers, on this machine or on a cluster.

`--jobs N` starts a `distributed.LocalCluster` of N single-threaded worker processes; `--scheduler
ADDRESS` (or DASK_SCHEDULER_ADDRESS) connects to a running cluster. Either way the same code sends
jobs (optimizer.sweeps.jobs: a validated input and what to compute) and takes back compact
records, so what runs on a laptop runs on a cluster. Dask re-runs the task of a worker that dies
(up to `distributed.scheduler.allowed-failures` times).

The driver never holds more than a few jobs per worker: jobs are drawn from an iterator as
workers free up, and each result is handed to `finished` and dropped, so memory stays flat over
any number of cases.

Processes: local workers exit by themselves when this process dies, however it dies (Dask's
worker processes watch a pipe from their parent: SIGKILL closes it). Ctrl-C (SIGINT) and SIGTERM
are noted and acted on between polls: the local workers are killed at once and the exception goes
on up (Terminated for SIGTERM), so finished cases are kept and nothing is left running.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import signal
import threading
import time
import uuid
from typing import Callable, Iterable, Iterator

from distributed import Client, LocalCluster, WorkerPlugin, get_worker, wait
from distributed.client import FutureCancelledError
from distributed.core import Status
from distributed.scheduler import KilledWorker

from optimizer.problems import InputError, Problem
from optimizer.sweeps.jobs import Job

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
POLL_S = 0.1  # how often the driver looks for finished jobs and for Ctrl-C
JOBS_PER_WORKER = 2  # jobs sent ahead per worker thread: a worker that finishes one starts the next at once
CONNECT_TIMEOUT_S = 10.0


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: handled like Ctrl-C (workers stopped, finished cases kept), exit status 143."""


class JobFailed(Exception):
    """A job raised (a fault in plan), or its worker died more often than Dask retries (`lost`)."""

    def __init__(self, job: Job, cause: BaseException, lost: bool):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.job, self.cause, self.lost = job, cause, lost


def scheduler_address(option: str | None) -> str | None:
    """--scheduler, else DASK_SCHEDULER_ADDRESS, else None (a local cluster)."""
    return option or os.environ.get(SCHEDULER_ENV) or None


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Workers:
    """Dask workers for the length of a `with` block: a local cluster of `jobs` processes, or the
    cluster whose scheduler is at `scheduler`."""

    def __init__(self, jobs: int | None = None, scheduler: str | None = None):
        self.jobs = jobs or default_jobs()
        self.scheduler = scheduler
        self.client = None
        self.cluster = None
        self.started_s = 0.0  # seconds to start (or reach) the cluster

    @property
    def description(self) -> str:
        if self.scheduler:
            return f"the Dask cluster at {self.scheduler} ({self.threads()} worker threads)"
        return "1 worker process" if self.jobs == 1 else f"{self.jobs} worker processes"

    def __enter__(self) -> Workers:
        started = time.perf_counter()
        _quiet_dask()
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as exc:
                raise self._problem(
                    f"no Dask scheduler could be reached there ({exc})",
                    f"Start one (dask scheduler), or check --scheduler and {SCHEDULER_ENV}.",
                ) from None
            self._check_versions()
        else:
            with _children_ignore_ctrl_c():
                self.cluster = LocalCluster(
                    n_workers=self.jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                    worker_dashboard_address=None,
                    # no dashboard; its health routes on any free port (not 8787: no "port in use" warning)
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                )
                self.client = Client(self.cluster)
            self.client.register_plugin(_IgnoreCtrlC(), name="kei-plan-ignore-ctrl-c")
        self.started_s = time.perf_counter() - started
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(at_once=exc_type is not None)

    def close(self, *, at_once: bool = False) -> None:
        """Stop. `at_once` (Ctrl-C, SIGTERM, a failure): local workers are killed, not asked."""
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        if cluster is not None and at_once:
            _kill_local_workers(cluster)
        with contextlib.suppress(Exception):
            if client is not None:
                client.close(timeout=5)
        with contextlib.suppress(Exception):
            if cluster is not None:
                cluster.close(timeout=5)

    def threads(self) -> int:
        try:
            return sum(self.client.nthreads().values())
        except Exception:  # the scheduler went away: the next poll says so
            return 0

    def run(
        self,
        jobs: Iterable[Job],
        finished: Callable[[Job, object], None],
        *,
        started: Callable[[Job], None] | None = None,
        per_worker: int = JOBS_PER_WORKER,
    ) -> None:
        """Run every job; `finished(job, result)` is called here, in this process, as each ends
        (in the order they end). `started(job)`, if given, when a worker begins one (always before
        its `finished`). `per_worker`: jobs drawn from `jobs` per worker thread at a time (1: a job
        is drawn only when a worker is free, so that it is chosen knowing every result before it).
        Raises JobFailed, KeyboardInterrupt or Terminated; jobs not finished then are cancelled."""
        topic = f"kei-plan-started-{uuid.uuid4().hex}"
        begun: queue.SimpleQueue = queue.SimpleQueue()
        if started is not None:
            self.client.subscribe_topic(topic, lambda event: begun.put(event[1]))
        pending: dict[str, tuple[int, object, Job]] = {}  # future key -> (order sent, future, job)
        announced: set[str] = set()
        source: Iterator[Job] = iter(jobs)
        sequence = itertools.count()
        window, window_checked = self._window(per_worker), time.monotonic()

        def announce(key: str) -> None:
            if started is not None and key in pending and key not in announced:
                announced.add(key)
                started(pending[key][2])

        try:
            with signals_noted() as signals:
                while True:
                    if time.monotonic() - window_checked > 2.0:  # workers may join or leave a cluster
                        window, window_checked = self._window(per_worker), time.monotonic()
                    while len(pending) < window:
                        job = next(source, None)
                        if job is None:
                            break
                        key = f"kei-plan-{job.key[:16]}-{uuid.uuid4().hex[:8]}"
                        future = self.client.submit(
                            execute, job, topic if started else None, key=key, pure=False
                        )
                        pending[key] = (next(sequence), future, job)
                    if not pending:
                        return
                    signals.check()
                    try:
                        done, _ = wait(
                            [f for _, f, _ in pending.values()],
                            timeout=POLL_S,
                            return_when="FIRST_COMPLETED",
                        )
                    except TimeoutError:
                        done = set()
                    while not begun.empty():
                        announce(begun.get())
                    for future in sorted(done, key=lambda f: pending[f.key][0]):
                        _, _, job = pending[future.key]
                        result = _result(future, job)
                        announce(future.key)
                        pending.pop(future.key)
                        announced.discard(future.key)
                        future.release()
                        finished(job, result)
                        signals.check()
        finally:
            if pending:
                with contextlib.suppress(Exception):
                    self.client.cancel([f for _, f, _ in pending.values()], force=True)
            if started is not None:
                with contextlib.suppress(Exception):
                    self.client.unsubscribe_topic(topic)

    def _problem(self, message: str, hint: str) -> InputError:
        """The cluster named by --scheduler cannot be used (exit 2, before anything is solved)."""
        return InputError([Problem(None, None, "--scheduler", self.scheduler, message, hint)])

    def _window(self, per_worker: int) -> int:
        if per_worker <= 1:
            return max(1, self.threads())
        return max(2, per_worker * self.threads() + 1)

    def _check_versions(self) -> None:
        """Workers of a cluster must run this version of plan (they unpickle its jobs)."""
        from optimizer.sweeps.cases import _version

        try:
            theirs = self.client.run(_worker_version)
        except Exception as exc:
            raise self._problem(
                f"the cluster's workers cannot run plan ({type(exc).__name__}: {exc})",
                "Install kei-plan (the same version as here) on every worker.",
            ) from None
        wrong = {addr: v for addr, v in theirs.items() if v != _version()}
        if wrong:
            shown = ", ".join(f"{a} has {v}" for a, v in sorted(wrong.items()))
            raise self._problem(
                f"workers run another version of plan than {_version()} ({shown})",
                "Install the same kei-plan on every worker.",
            )


def execute(job: Job, topic: str | None) -> object:
    """A job, in a worker: one HiGHS thread (a worker process is one core), the start announced."""
    from optimizer.solving import highs_bridge

    if highs_bridge.THREADS != 1:  # first job in this worker process
        highs_bridge.THREADS = 1
        _swallow_highs_banner(highs_bridge)
    if topic is not None:
        with contextlib.suppress(Exception):
            worker = get_worker()
            worker.log_event(topic, worker.get_current_task())
    return job.run()


def _swallow_highs_banner(highs_bridge) -> None:
    """HiGHS prints its banner when a process makes its first instance; in a worker nobody reads it."""
    import highspy

    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        highspy.Highs()
        highs_bridge._banner_printed = True
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def _worker_version() -> str:
    from optimizer.sweeps.cases import _version

    return _version()


def _result(future, job: Job) -> object:
    try:
        return future.result()
    except KilledWorker as exc:
        raise JobFailed(job, exc, lost=True) from exc
    except (FutureCancelledError, OSError) as exc:  # the scheduler or our connection to it went away
        raise JobFailed(job, exc, lost=True) from exc
    except Exception as exc:
        raise JobFailed(job, exc, lost=False) from exc


class _IgnoreCtrlC(WorkerPlugin):
    """A worker plugin: local workers leave Ctrl-C to the driver, which kills them; otherwise a
    terminal's Ctrl-C, sent to the whole process group, would make each worker shut down on its
    own and the driver would see lost workers instead of an interruption."""

    idempotent = True

    def setup(self, worker) -> None:
        with contextlib.suppress(ValueError):  # not the main thread: nothing to do
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _children_ignore_ctrl_c():
    """Worker processes started inside inherit an ignored SIGINT (Python then leaves it ignored),
    covering the second before the plugin above reaches them. (A Ctrl-C in that second is lost:
    the planner presses it again.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _kill_local_workers(cluster) -> None:
    """Kill a local cluster's worker processes now instead of waiting for their solves. Each
    nanny is told first that its worker is going, so that it does not start another."""
    try:
        for nanny in list(cluster.workers.values()):
            nanny.status = Status.closing_gracefully
            if nanny.pid:
                with contextlib.suppress(OSError):
                    os.kill(nanny.pid, signal.SIGKILL)
    except Exception:  # an older or newer distributed: fall back to every child process
        import psutil

        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()


class _Signals:
    def __init__(self) -> None:
        self.seen: int | None = None

    def note(self, signum, _frame) -> None:
        self.seen = signum

    def check(self) -> None:
        if self.seen == signal.SIGTERM:
            raise Terminated
        if self.seen is not None:
            raise KeyboardInterrupt


@contextlib.contextmanager
def signals_noted():
    """Ctrl-C and SIGTERM noted and raised at `check()` (between polls, never inside Dask's own
    waits). Only from the main thread; a SIGINT the caller ignores (a background job) stays so."""
    signals = _Signals()
    installed: list[tuple[int, object]] = []
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                installed.append((signum, signal.signal(signum, signals.note)))
    try:
        yield signals
    finally:
        for signum, previous in installed:
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
    signals.check()  # a signal that came after the last check is not lost


def _quiet_dask() -> None:
    """Dask's own log lines (a worker lost and its task re-run, say) are not the planner's news;
    errors still show. The resource tracker's note about semaphores of workers that were killed
    is silenced likewise."""
    logging.getLogger("distributed").setLevel(logging.ERROR)
    warning = "ignore::UserWarning:multiprocessing.resource_tracker"
    current = os.environ.get("PYTHONWARNINGS", "")
    if warning not in current:
        os.environ["PYTHONWARNINGS"] = f"{current},{warning}" if current else warning
