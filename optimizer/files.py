"""Writing output files so that nothing is ever half-written or lost.

Every file goes to a temporary name in the destination folder and is moved into place in
one step (`os.replace`), so an interrupted run leaves the previous file intact; the input
workbook is never a destination.

A file is first rendered in memory and only its finished bytes touch the disk: building a
workbook takes a while, writing 100 kB a millisecond, so a run killed outright (SIGKILL, a
closed terminal, Task Manager) almost never leaves its temporary file behind. For the
remaining millisecond, or a power cut, a later save removes temporary files of ours that
are older than `STALE_AFTER_S` from the destination folder.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable

from optimizer.problems import InputError, Problem

TEMP_PREFIX = ".~plan-"
STALE_AFTER_S = 600.0  # a temporary file of ours this old belongs to a run that died


def save_atomically(path: Path, write: Callable[[BinaryIO], None], *, inputs: tuple[Path, ...] = ()) -> Path:
    """Call write(binary stream) in memory, then put the bytes at `path` in one step (e.g.
    `save_atomically(path, workbook.save)`). Raises InputError when the destination is an
    input or cannot be written."""
    path = Path(path)
    for source in inputs:
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise InputError([Problem(None, None, None, None, f"the report {path} would overwrite the input workbook", "Choose another --out path.")])
    buffer = io.BytesIO()
    try:
        write(buffer)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    data = buffer.getvalue()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise InputError([Problem(None, None, None, None, f"the report {path} cannot be written there ({exc.strerror or exc})", "Choose a folder you can write to with --out.")]) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    remove_stale_temporaries(path.parent)
    return path


def _cannot_write(path: Path, exc: OSError) -> InputError:
    return InputError([Problem(None, None, None, None, f"the report {path} cannot be written ({exc.strerror or exc}); is it open in Excel?", "Close it, or choose another --out path.")])


def remove_stale_temporaries(folder: Path, *, older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove our temporary files left in `folder` by runs that died; returns those removed.
    Best effort: a file another process is still using is young, and one we cannot remove stays."""
    removed = []
    now = time.time()
    try:
        candidates = list(Path(folder).glob(TEMP_PREFIX + "*"))
    except OSError:
        return removed
    for tmp in candidates:
        try:
            if tmp.is_file() and now - tmp.stat().st_mtime > older_than_s:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed
