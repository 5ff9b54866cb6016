"""Every file `plan` writes (a report, the --all-scenarios set, a comparison, a template), and its
standard output: each kind of bad destination is refused before any work (exit 2, a message about
the output, nothing solved, nothing written); a path ending in / is a folder; several files are
written all or none; files honour the umask and a replaced file keeps its mode; a full or closed
standard stream is a message, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
from pathlib import Path

import openpyxl
import pytest

from builders import tables, write
from clirun import PLAN, files_in, find_problem, invoke
from test_cli import _make_read_only, _make_writable

ONE_SCENARIO = [dict(scenario="dear-packs", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value=1.2)]
FUTURES = [dict(scenario="base", probability=0.5), dict(scenario="dear-packs", probability=0.5)]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A report written by plan solve, for the commands that read one (compare)."""
    folder = tmp_path_factory.mktemp("report")
    wb = write(tables(scenarios=ONE_SCENARIO), folder / "wb.xlsx")
    result = invoke("solve", wb, "--no-sharing-baseline", "--out", folder / "wb-base.xlsx")
    assert result.exit_code == 0, result.stderr
    return folder / "wb-base.xlsx"


def command(kind: str, folder: Path, report: Path, dest: str | Path | None) -> tuple[list, Path | None]:
    """(arguments of `plan`, the input it reads) for each command that writes a file."""
    dest_args = [] if dest is None else ["--out", dest]
    if kind == "solve":
        wb = write(tables(scenarios=ONE_SCENARIO), folder / "wb.xlsx")
        return ["solve", wb, "--no-sharing-baseline", "--time-limit", 5, *dest_args], wb
    if kind == "robust":
        wb = write(tables(scenarios=ONE_SCENARIO, futures=FUTURES), folder / "wb.xlsx")
        return ["solve", wb, "--robust", "--time-limit", 5, *dest_args], wb
    if kind == "all-scenarios":
        wb = write(tables(scenarios=ONE_SCENARIO), folder / "wb.xlsx")
        return ["solve", wb, "--all-scenarios", "--no-sharing-baseline", "--jobs", 1, "--time-limit", 5, *dest_args], wb
    if kind == "compare":
        copy = folder / "base.xlsx"
        copy.write_bytes(report.read_bytes())
        return ["compare", copy, *dest_args], copy
    return ["template", *([] if dest is None else [dest]), "--force"], None


COMMANDS = ["solve", "all-scenarios", "robust", "compare", "template"]


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under `folder` with its mode and (for files) content."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        out[str(path.relative_to(folder))] = (st.st_mode, path.read_bytes() if stat.S_ISREG(st.st_mode) else None)
    return out


# ---- bad destinations: one function each, returning (--out argument, fragments of the message) ----

def _csv(folder, inp):
    return folder / "report.csv", ["does not end in .xlsx"]


def _no_suffix(folder, inp):
    return folder / "myreport", ["does not end in .xlsx"]


def _a_folder(folder, inp):
    (folder / "r.xlsx").mkdir()
    (folder / "r.xlsx" / "keep.txt").write_text("mine")
    return folder / "r.xlsx", ["is a folder"]


def _inside_a_file(folder, inp):
    (folder / "notes.txt").write_text("a file")
    return folder / "notes.txt" / "sub" / "r.xlsx", ["cannot be written there", "is a file, not a folder"]


def _read_only_report(folder, inp):
    path = folder / "r.xlsx"
    path.write_bytes(b"an earlier report")
    path.chmod(0o444)
    return path, ["is read-only"]


def _long_name(folder, inp):
    return folder / ("x" * 300 + ".xlsx"), ["has a name too long"]


def _long_path(folder, inp):
    return folder.joinpath(*["d" * 200] * 25, "r.xlsx"), ["has a path too long"]


def _control_character(folder, inp):
    return folder / "re\x01port.xlsx", ["control characters", "U+0001"]


def _not_utf8(folder, inp):
    return folder / os.fsdecode(b"r\xff.xlsx"), ["not valid text"]


def _named_pipe(folder, inp):
    os.mkfifo(folder / "r.xlsx")
    return folder / "r.xlsx", ["is not a regular file"]


def _the_input(folder, inp):
    return inp, ["would overwrite"]


def _read_only_folder(folder, inp):
    sub = folder / "locked"
    sub.mkdir()
    if not _make_read_only(sub):
        _make_writable(sub)
        pytest.skip("cannot make a folder read-only here")
    return sub / "r.xlsx", ["cannot be written there"]


BAD = {
    "csv": _csv, "no-suffix": _no_suffix, "a-folder": _a_folder, "inside-a-file": _inside_a_file,
    "read-only-report": _read_only_report, "long-name": _long_name, "long-path": _long_path,
    "control-character": _control_character, "not-utf8": _not_utf8, "named-pipe": _named_pipe,
    "the-input": _the_input, "read-only-folder": _read_only_folder,
}


@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("kind", COMMANDS)
def test_a_bad_destination_is_refused_before_any_work_and_nothing_is_written(tmp_path, report, kind, bad):
    args, inp = command(kind, tmp_path, report, None)
    if bad == "the-input" and inp is None:
        pytest.skip("plan template reads nothing")
    dest, fragments = BAD[bad](tmp_path, inp)
    args, _ = command(kind, tmp_path, report, dest)
    before = snapshot(tmp_path)
    try:
        result = invoke(*args)
        after = snapshot(tmp_path)
    finally:
        if bad == "read-only-folder":
            _make_writable(tmp_path / "locked")
    assert result.exit_code == 2, result.stderr
    assert "with the output:" in result.stderr and "in the input" not in result.stderr, result.stderr
    find_problem(result.stderr, "the output", *fragments)
    assert "model:" not in result.stderr and "solving" not in result.stderr, "checked before solving"
    assert result.stdout == ""
    assert after == before


@pytest.mark.parametrize("kind", ["solve", "all-scenarios", "robust", "compare"])
def test_input_and_output_problems_are_listed_by_one_run(tmp_path, report, kind):
    args, inp = command(kind, tmp_path, report, tmp_path / "report.csv")
    inp.write_bytes(b"not a workbook")
    result = invoke(*args)
    assert result.exit_code == 2
    assert "problem in the input:" in result.stderr and "problem with the output:" in result.stderr, result.stderr
    assert files_in(tmp_path) == {inp.name}


# ---- a trailing separator names a folder --------------------------------------------------------

@pytest.mark.parametrize("kind, names", [
    ("solve", {"wb-base.xlsx"}),
    ("all-scenarios", {"wb-base.xlsx", "wb-dear-packs.xlsx", "wb-comparison.xlsx"}),
    ("robust", {"wb-robust.xlsx"}),
    ("compare", {"comparison.xlsx"}),
    ("template", {"template.xlsx"}),
])
def test_a_path_ending_in_a_separator_is_a_folder_made_for_the_files(tmp_path, report, kind, names):
    args, _ = command(kind, tmp_path, report, str(tmp_path / "new" / "out") + os.sep)
    before = files_in(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "new" / "out").is_dir() and files_in(tmp_path / "new" / "out") == names
    assert files_in(tmp_path) == before | {"new"}, "nothing beside the folder"
    for name in names:
        openpyxl.load_workbook(tmp_path / "new" / "out" / name)


# ---- several files: all or none -------------------------------------------------------------------

def test_all_scenarios_replacing_earlier_reports_is_all_or_none_when_the_disk_fills(tmp_path, monkeypatch):
    import optimizer.files

    wb = write(tables(scenarios=ONE_SCENARIO), tmp_path / "wb.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("wb-base.xlsx", "wb-dear-packs.xlsx"):
        (out / name).write_bytes(b"earlier " + name.encode())
    before = snapshot(tmp_path)
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:  # the third file (the comparison) does not fit
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(optimizer.files.os, "fsync", fsync)
    result = invoke("solve", wb, "--all-scenarios", "--no-sharing-baseline", "--jobs", 1, "--out", str(out) + "/")
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, "the output", "wb-comparison.xlsx", "No space left on device")
    assert "nothing written" in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("fail_at", ["stage-1", "stage-3", "move-1", "move-2", "move-3"])
def test_save_all_atomically_leaves_every_destination_as_it_was_when_any_step_fails(tmp_path, monkeypatch, fail_at):
    import optimizer.files
    from optimizer.files import save_all_atomically
    from optimizer.problems import OutputError

    (tmp_path / "a.xlsx").write_bytes(b"old a")
    (tmp_path / "a.xlsx").chmod(0o640)
    (tmp_path / "b.xlsx").write_bytes(b"old b")
    files = [(tmp_path / "a.xlsx", b"new a"), (tmp_path / "b.xlsx", b"new b"), (tmp_path / "sub" / "c.xlsx", b"new c")]
    before = snapshot(tmp_path)
    step, n = fail_at.split("-")
    count = {"stage": 0, "move": 0}
    real_open, real_replace = os.open, os.replace

    def failing(kind, real):
        def call(*args, **kwargs):
            if kind == "stage" and not str(args[0]).endswith(".xlsx"):
                return real(*args, **kwargs)
            if kind == "move" and Path(args[0]).suffix == ".bak":  # an undo step
                return real(*args, **kwargs)
            count[kind] += 1
            if kind == step and count[kind] == int(n):
                raise OSError(errno.EIO, "Input/output error")
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(optimizer.files.os, "open", failing("stage", real_open))
    monkeypatch.setattr(optimizer.files.os, "replace", failing("move", real_replace))
    with pytest.raises(OutputError) as err:
        save_all_atomically(files)
    assert "Input/output error" in str(err.value.problems[0])
    assert snapshot(tmp_path) == before


def test_save_all_atomically_writes_every_file_and_leaves_nothing_else(tmp_path):
    from optimizer.files import save_all_atomically

    (tmp_path / "a.xlsx").write_bytes(b"old a")
    save_all_atomically([(tmp_path / "a.xlsx", b"new a"), (tmp_path / "sub" / "c.xlsx", b"new c")])
    assert (tmp_path / "a.xlsx").read_bytes() == b"new a" and (tmp_path / "sub" / "c.xlsx").read_bytes() == b"new c"
    assert files_in(tmp_path) == {"a.xlsx", "sub"} and files_in(tmp_path / "sub") == {"c.xlsx"}


# ---- modes: the umask for new files, the old mode for replaced ones ---------------------------------

@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


@pytest.mark.parametrize("kind", COMMANDS)
def test_new_files_honour_the_umask_and_replaced_ones_keep_their_mode(tmp_path, report, kind, umask_027):
    out = tmp_path / "out"
    args, _ = command(kind, tmp_path, report, str(out) + "/")
    assert invoke(*args).exit_code == 0
    made = sorted(out.iterdir())
    assert made and all(stat.S_IMODE(p.stat().st_mode) == 0o640 for p in made), [oct(p.stat().st_mode) for p in made]
    for path in made:
        path.chmod(0o664)
    assert invoke(*args).exit_code == 0
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o664 for p in made), [oct(p.stat().st_mode) for p in made]


# ---- standard output and standard error ------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return write(tables(), tmp_path_factory.mktemp("small") / "wb.xlsx")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_json_to_a_full_device_is_a_message_and_exit_2(small, tmp_path):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([str(PLAN), "solve", small, "--no-sharing-baseline", "--json", "--out", tmp_path / "r.xlsx"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "the JSON could not be written to standard output (No space left on device)" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert (tmp_path / "r.xlsx").is_file()


def test_json_to_a_closed_pipe_is_a_message_and_exit_2(small, tmp_path):
    proc = subprocess.Popen([str(PLAN), "solve", small, "--no-sharing-baseline", "--json", "--out", tmp_path / "r.xlsx"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader went away (`plan solve --json | head -c 0`)
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 2, err
    assert "the JSON could not be written to standard output" in err and "Traceback" not in err


def test_closed_standard_error_still_gives_the_json_and_an_intact_report(small, tmp_path):
    out = tmp_path / "r.xlsx"
    proc = subprocess.run([str(PLAN), "solve", small, "--no-sharing-baseline", "--json", "--out", out],
                          capture_output=False, stdout=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(2))
    assert proc.returncode == 0
    obj = json.loads(proc.stdout)
    assert obj["status"] == "optimal" and obj["report"] == str(out)
    assert openpyxl.load_workbook(out)["Summary"]["A1"].value, "the report is whole: no message landed in it"


def test_a_name_that_is_not_utf8_is_refused_before_solving_even_with_json(small, tmp_path):
    out = os.fsencode(tmp_path) + b"/r\xff.xlsx"
    proc = subprocess.run([os.fsencode(PLAN), b"solve", os.fsencode(small), b"--json", b"--out", out], capture_output=True, timeout=120)
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 2, err
    assert "not valid text" in err and "UnicodeEncodeError" not in err and "Traceback" not in err
    assert proc.stdout == b"" and files_in(tmp_path) == set()


def test_all_scenarios_with_a_folder_named_like_one_report_writes_nothing(tmp_path):
    wb = write(tables(scenarios=ONE_SCENARIO), tmp_path / "wb.xlsx")
    (tmp_path / "out" / "wb-dear-packs.xlsx").mkdir(parents=True)
    before = snapshot(tmp_path)
    result = invoke("solve", wb, "--all-scenarios", "--jobs", 1, "--out", str(tmp_path / "out") + "/")
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, "the output", "wb-dear-packs.xlsx", "is a folder")
    assert "solving" not in result.stderr and snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["a:b.xlsx", "what?.xlsx", 'say "hi".xlsx', "a|b.xlsx", "CON.xlsx", "lpt1.report.xlsx"])
def test_names_windows_refuses_are_refused_there(tmp_path, name):
    from optimizer.files import output_problems

    assert output_problems(tmp_path / name, windows=False) == []  # fine on Linux and macOS
    (problem,) = output_problems(tmp_path / name, windows=True)
    assert "Windows does not allow" in problem.message
