"""Writing output files so that nothing is ever half-written or lost.

Every file goes to a temporary name in the destination folder and is moved into place in
one step (`os.replace`), so an interrupted run leaves the previous file intact; the input
workbook is never a destination.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from optimizer.problems import InputError, Problem

TEMP_PREFIX = ".~plan-"


def save_atomically(path: Path, write: Callable[[Path], None], *, inputs: tuple[Path, ...] = ()) -> Path:
    """Call write(temporary path), then move the result to `path`. Raises InputError when the
    destination is an input or cannot be written."""
    path = Path(path)
    for source in inputs:
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise InputError([Problem(None, None, None, str(path), "the report would overwrite the input workbook", "Choose another --out path.")])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise InputError([Problem(None, None, None, str(path), f"the report cannot be written there ({exc.strerror or exc})", "Choose a folder you can write to with --out.")]) from None
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError([Problem(None, None, None, str(path), f"the report cannot be written ({exc.strerror or exc}); is it open in Excel?", "Close it, or choose another --out path.")]) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
