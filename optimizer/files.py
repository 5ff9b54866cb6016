"""Output files: where they go, whether they can go there, and writing them so that nothing is
ever half-written or lost.

Every destination is checked before any solving (`check_outputs`): a name that is not `.xlsx`,
not text or too long, a folder that cannot be written, a folder or a read-only file where the
file should go, an input in the way. Writing then renders each file in memory, puts its bytes
under a temporary name beside the destination and moves it into place in one step
(`os.replace`), so an interrupted run leaves the previous file intact. Several files
(`--all-scenarios`) are written all or none: every temporary first, then every move, undone if
one fails. Files are created as any other program creates them (mode 0666 less the umask); a
replaced file keeps its mode.

Finished bytes touch the disk only at the end: building a workbook takes a while, writing
100 kB a millisecond, so a run killed outright (SIGKILL, a closed terminal, Task Manager) almost
never leaves a temporary file behind. For the remaining millisecond, or a power cut, a later
save removes temporary files of ours older than `STALE_AFTER_S` from the destination folder.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable

from optimizer.problems import OutputError, Problem

TEMP_PREFIX = ".~plan-"
STALE_AFTER_S = 600.0  # a temporary file of ours this old belongs to a run that died
SUFFIX = ".xlsx"
# What Windows refuses in a file name, and the device names it reserves (whatever the extension).
_WINDOWS_FORBIDDEN = set('<>:"|?*\\')
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10))}
_FOLDER_HINT = "Choose a folder you can write to with --out."
_RETYPE = "Type the name again without them."


def output_path(out: str | os.PathLike | None, default_name: str) -> Path:
    """Where --out puts a file: by default `reports/<default_name>`. A path ending in a
    separator (`out/`) or naming an existing folder is a folder, created if need be, and the
    file goes in it under its default name; anything else names the file itself."""
    if out is None:
        return Path("reports") / default_name
    text = os.fspath(out)
    folder = text.endswith(os.sep) or (os.altsep is not None and text.endswith(os.altsep))
    path = Path(text)
    if folder or (_is_dir(path) and path.suffix.lower() != SUFFIX):
        return path / default_name
    return path


def check_outputs(
    paths: list[Path], inputs: tuple[Path, ...] = (), what: str = "output", *, suffix: str = SUFFIX
) -> None:
    """Raise OutputError naming every destination that cannot be written, before any work is
    done: nothing is created or changed here. `inputs` are files the command reads; `suffix`
    the ending the names must have (a sweep's results file is .csv)."""
    problems = [p for path in paths for p in output_problems(Path(path), inputs, what, suffix=suffix)]
    if problems:
        raise OutputError(problems)


def output_problems(
    path: Path, inputs: tuple[Path, ...] = (), what: str = "output", *, windows: bool = os.name == "nt",
    suffix: str = SUFFIX,
) -> list[Problem]:
    """What is wrong with `path` as a destination (empty: it can be written)."""
    wrong = _name_problem(path, windows, suffix) or _place_problem(path, inputs)
    if not wrong:
        return []
    message, hint = wrong
    return [Problem(None, None, None, None, f"the {what} {_shown(path)} {message}", hint)]


def _shown(path: Path) -> str:
    """The path as text that can be printed: bytes that are not UTF-8 escaped, control characters '?'."""
    text = os.fsencode(str(path)).decode("utf-8", "backslashreplace")
    return "".join("?" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)


def _name_problem(path: Path, windows: bool, suffix: str = SUFFIX) -> tuple[str, str] | None:
    """(what is wrong, hint) with the name itself, wherever it would go."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ("has a name that is not valid text (bytes that are not UTF-8)",
                "Name it in plain characters: the name is recorded in the report and the JSON.")
    control = sorted({f"U+{ord(ch):04X}" for ch in text if ord(ch) < 32 or ord(ch) == 127})
    if control:
        return f"has control characters in its name ({', '.join(control)})", _RETYPE
    if not path.name.lower().endswith(suffix) or path.name.lower() == suffix:
        kind = (
            "Reports, comparisons and templates are Excel workbooks" if suffix == SUFFIX
            else f"This file is {suffix}"
        )
        return (f"does not end in {suffix}",
                f"{kind}: name the file ...{suffix}, or end the path with {os.sep} to name a folder.")
    device = path.name.split(".")[0].strip().lower() in _WINDOWS_DEVICES
    if windows and (set(path.name) & _WINDOWS_FORBIDDEN or device):
        return ('has a name Windows does not allow (none of < > : " | ? * \\, '
                'not a device name such as CON)',
                "Choose another name.")
    too_long = _too_long(path)
    return (too_long, "Choose a shorter name or a folder nearer the top.") if too_long else None


def _place_problem(path: Path, inputs: tuple[Path, ...]) -> tuple[str, str] | None:
    """(what is wrong, hint) with what is at the path now, or with its folder."""
    if _is_dir(path):
        return (
            "is a folder",
            f"Name a file ...{SUFFIX}, or end the path with {os.sep} to put the file in it.",
        )
    for source in inputs:
        if _same_file(path, source):
            return f"would overwrite {source}, which this command reads", "Choose another --out path."
    if _stat(path, follow=False) is not None:
        st = _stat(path)
        if st is None or not stat.S_ISREG(st.st_mode):
            return "exists and is not a regular file", "Choose another --out path."
        if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
            return (
                "is read-only",
                "Excel would refuse to save over it too: make it writable, or choose another.",
            )
    return _folder_problem(path)


def _stat(path: Path, follow: bool = True) -> os.stat_result | None:
    """os.stat, or None for a path that does not exist or cannot exist (too long, a NUL byte)."""
    try:
        return os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None


def _is_dir(path: Path) -> bool:
    st = _stat(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet)
        return Path(os.path.abspath(a)) == Path(os.path.abspath(b))


def _too_long(path: Path) -> str:
    """Why the name is too long for the file system ("" when it is not)."""
    anchor = _nearest_existing(path.parent)
    try:
        name_max = os.pathconf(anchor, "PC_NAME_MAX")
        path_max = os.pathconf(anchor, "PC_PATH_MAX")
    except (AttributeError, ValueError, OSError):  # Windows: no pathconf
        name_max, path_max = 255, 32767
    # the temporary file beside it is named `.~plan-<12 hex>.xlsx`: short, so the name decides
    longest = max(len(os.fsencode(part)) for part in path.parts)
    if longest > name_max:
        return (
            f"has a name too long for this file system ({longest} bytes in one part; "
            f"it allows {name_max})"
        )
    size = len(os.fsencode(os.path.abspath(path)))
    if size >= path_max:
        return f"has a path too long for this file system ({size} bytes; it allows {path_max - 1})"
    return ""


def _nearest_existing(folder: Path) -> Path:
    missing = _missing_folders(folder)
    return missing[-1].parent if missing else Path(os.path.abspath(folder))


def _folder_problem(path: Path) -> tuple[str, str] | None:
    """The folder exists and is writable, or can be created: probed with a nameless temporary
    file in the nearest folder that exists, so nothing is left behind."""
    anchor = _nearest_existing(path.parent)
    if not _is_dir(anchor):
        return f"cannot be written there: {anchor} is a file, not a folder", _FOLDER_HINT
    try:
        with tempfile.TemporaryFile(dir=anchor):
            pass
    except OSError as exc:
        return f"cannot be written there ({exc.strerror or exc}: {anchor})", _FOLDER_HINT
    return None


# --- writing ------------------------------------------------------------------------------------


def rendered(write: Callable[[BinaryIO], None], path: Path) -> bytes:
    """The bytes `write(stream)` produces (e.g. `workbook.save`), made in memory."""
    buffer = io.BytesIO()
    try:
        write(buffer)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    return buffer.getvalue()


def save_atomically(path: Path, write: Callable[[BinaryIO], None], *, inputs: tuple[Path, ...] = ()) -> Path:
    """Call write(binary stream) in memory, then put the bytes at `path` in one step (e.g.
    `save_atomically(path, workbook.save)`). Raises OutputError when the destination is an
    input or cannot be written."""
    path = Path(path)
    data = rendered(write, path)
    return save_all_atomically([(path, data)], inputs=inputs)[0]


def save_all_atomically(files: list[tuple[Path, bytes]], *, inputs: tuple[Path, ...] = ()) -> list[Path]:
    """Write every file or none: each to a temporary beside its destination, then all moved into
    place; when any step fails (or Ctrl-C strikes), every destination is left as it was."""
    files = [(Path(p), data) for p, data in files]
    check_outputs([p for p, _ in files], inputs)  # again: things may have changed while solving
    staged: list[tuple[Path, Path]] = []  # (temporary, destination)
    moved: list[tuple[Path, Path | None]] = []  # (destination, backup of the file it replaced)
    current = files[0][0] if files else Path()
    created = [f for p, _ in files for f in _missing_folders(p.parent)]
    try:
        for current, data in files:
            staged.append((_write_temporary(current, data), current))
        for tmp, current in staged:
            backup = _backup(current) if len(staged) > 1 and _stat(current) is not None else None
            try:
                os.replace(tmp, current)
            except BaseException:
                _remove(backup)
                raise
            moved.append((current, backup))
    except BaseException as exc:
        _undo(moved, staged, created)
        if isinstance(exc, OSError):
            raise _cannot_write(current, exc) from None
        raise
    for _, backup in moved:
        _remove(backup)
    for folder in dict.fromkeys(p.parent for p, _ in files):
        remove_stale_temporaries(folder)
    return [p for p, _ in files]


def _write_temporary(path: Path, data: bytes) -> Path:
    """`data` in a new file beside `path`, created with mode 0666 less the umask (what any
    program's new file gets), or the mode of the file it will replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    st = _stat(path)
    mode = stat.S_IMODE(st.st_mode) if st is not None else None
    while True:
        tmp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}{path.suffix}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(tmp, flags, 0o666)  # less the umask, as the kernel applies it
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _backup(path: Path) -> Path:
    """A second name for the file at `path` (a hard link, or a copy where links are not
    possible), so that replacing it can be undone."""
    backup = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}.bak"
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)
    return backup


def _missing_folders(folder: Path) -> list[Path]:
    """The folders that writing into `folder` would create, deepest first."""
    out = []
    folder = Path(os.path.abspath(folder))
    while _stat(folder) is None and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _undo(moved: list[tuple[Path, Path | None]], staged: list[tuple[Path, Path]],
          created: list[Path]) -> None:
    """Put back what the moves replaced and remove what they created, folders included (best
    effort: a step that fails here leaves a backup, which a later save removes once it is
    stale)."""
    for path, backup in reversed(moved):
        try:
            if backup is not None:
                os.replace(backup, path)
            else:
                path.unlink()
        except OSError:
            continue
    for tmp, _ in staged:
        _remove(tmp)
    for folder in sorted(set(created), key=lambda f: len(f.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            continue


def _remove(path: Path | None) -> None:
    if path is None:
        return
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError([Problem(
        None, None, None, None,
        f"the output {_shown(path)} cannot be written ({exc.strerror or exc}); is it open in Excel?",
        "Close it, or choose another --out path.",
    )])


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
