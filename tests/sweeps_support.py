"""What the sweep tests share: a small workbook with ranges, a real Dask cluster on 127.0.0.1
(`dask scheduler` and `dask worker` processes on free ports), and process-tree checks."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from builders import tables, write

DASK = Path(sys.executable).parent / "dask"

RANGES = [
    dict(
        name="pack prices",
        sheet="packs",
        match="*",
        column="unit_cost_jpy",
        op="multiply",
        low=0.8,
        high=1.3,
        most_likely=1.0,
    ),
    dict(
        name="pack prices",
        sheet="tiers",
        match="item=P20",
        column="unit_cost_jpy",
        op="multiply",
        low=0.8,
        high=1.3,
        most_likely=1.0,
    ),
    dict(
        name="Mizushima capacity",
        sheet="plants",
        match="plant=Mizushima",
        column="capacity_units",
        op="set",
        low=20000,
        high=70000,
    ),
    dict(
        name="years",
        sheet="settings",
        match="lifecycle_years",
        column="value",
        op="set",
        low=5,
        high=8,
        most_likely=6,
        distribution="normal",
    ),
    dict(
        name="hatch demand",
        sheet="variants",
        match="variant=H-hatch",
        column="max_units",
        op="add",
        low=-10000,
        high=20000,
    ),
]


def ranges_workbook(path: Path, ranges: list[dict] | None = None, **sheets) -> Path:
    return write(tables(ranges=RANGES if ranges is None else ranges, **sheets), path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a process started with start_new_session=True and everything in its group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


@dataclass
class DaskCluster:
    """A real scheduler and `workers` single-threaded workers, each in its own process group."""

    folder: Path
    workers: int = 2
    address: str = ""
    scheduler: subprocess.Popen | None = None
    worker_procs: list[subprocess.Popen] = field(default_factory=list)

    def __enter__(self) -> DaskCluster:
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        log = open(self.folder / "scheduler.log", "w")
        self.scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.folder,
        )
        wait_for(lambda: _accepts(port), 60, "the dask scheduler to listen")
        for i in range(self.workers):
            self.add_worker(f"w{i}")
        wait_for(lambda: self.connected() >= self.workers, 90, f"{self.workers} dask workers to connect")
        return self

    def add_worker(self, name: str) -> subprocess.Popen:
        log = open(self.folder / f"worker-{name}.log", "w")
        proc = subprocess.Popen(
            [
                str(DASK),
                "worker",
                self.address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--local-directory",
                str(self.folder / f"scratch-{name}"),
                "--name",
                name,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.folder,
        )
        self.worker_procs.append(proc)
        return proc

    def connected(self) -> int:
        from distributed import Client

        with Client(self.address, timeout=10) as client:
            return len(client.nthreads())

    def __exit__(self, *exc) -> None:
        for proc in [*self.worker_procs, self.scheduler]:
            if proc is not None:
                kill_group(proc)


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def survivors(processes: list[psutil.Process], timeout: float = 15) -> list[psutil.Process]:
    """Those of `processes` still running (not zombies) after `timeout` seconds."""
    _gone, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def result_lines(path: Path) -> list[str]:
    """The complete lines of a results file after its header."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return (
        [line for line in text.split("\n")[1:] if line]
        if text.endswith("\n")
        else [line for line in text.split("\n")[1:-1] if line]
    )
