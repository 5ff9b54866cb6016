"""The repository stands alone: no file in it points outside it.

A clone holds only the repository, so a path into the machine it was written on (a shared
folder, a home directory, a temporary folder) or a link that climbs out of the checkout is a
dead reference for every other reader. Every tracked text file, and the XML inside every
tracked workbook, is scanned; every relative link in the Markdown files must name a file of the
repository (and a heading of it, for a `#anchor`).
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Top folders of absolute machine paths (written without slashes so this file does not match).
_MACHINE_ROOTS = ("work", "root", "home", "tmp", "Users", "mnt")
_ABSOLUTE = re.compile(r"(?<![\w.~-])/(?:" + "|".join(_MACHINE_ROOTS) + r")/")
_WINDOWS = re.compile(r"\b[A-Za-z]:\\(?:Users|work|tmp)\\", re.I)
_CLIMBING = re.compile(r"\.\.[/\\]shared\b")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_SKIPPED_DIRS = {".git", ".venv", "reports", "__pycache__", ".pytest_cache", ".hypothesis"}


def tracked_files() -> list[Path]:
    """The files git tracks; outside a git checkout (an unpacked source archive), every file but
    virtual environments, caches and reports."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        files = [ROOT / name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in ROOT.rglob("*") if not _SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return [f for f in files if f.is_file()]


def texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) for a text file, or for each XML part of a workbook; nothing for binaries."""
    data = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm") and data.startswith(b"PK"):
        with zipfile.ZipFile(path) as zf:
            parts = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
            return [(f"{path.relative_to(ROOT)}:{n}", zf.read(n).decode("utf-8", "replace")) for n in parts]
    if b"\0" in data[:8192]:
        return []
    try:
        return [(str(path.relative_to(ROOT)), data.decode("utf-8"))]
    except UnicodeDecodeError:
        return []


def outside_references(text: str) -> list[tuple[int, str]]:
    """(line number, the start of the path) of every path in `text` that points outside the repository."""
    found = [m for pattern in (_ABSOLUTE, _WINDOWS, _CLIMBING) for m in pattern.finditer(text)]
    return sorted((text.count("\n", 0, m.start()) + 1, m.group(0)) for m in found)


def test_the_scan_finds_the_paths_it_is_for():
    def at(*parts: str) -> str:  # a machine path, assembled so that this file holds none
        return "/" + "/".join(parts) + "/"

    up = "." + "./shared"
    found = outside_references(
        f"see {up}/spec/workbook.md and {at('work', 'shared')}reference.md; "
        f"log in {at('tmp', 'kei-1')}a.xlsx, {at('root')}.cache, {at('home', 'ann')}x, "
        "C:\\" + "Users\\ann\\plan.xlsx"
    )
    expected = [up, at("work"), at("tmp"), at("root"), at("home"), "C:\\Users\\"]
    assert sorted(r for _, r in found) == sorted(expected), found
    assert outside_references("a\nb " + at("tmp") + "x") == [(2, at("tmp"))]
    inside = "inputs/kei-jv.xlsx, docs/workbook.md, https://example.com/work/x, a/tmp/b, ~/tmp/x"
    assert outside_references(inside) == []


def test_no_tracked_file_points_outside_the_repository():
    files = tracked_files()
    assert ROOT / "README.md" in files and ROOT / "tests" / "test_repository_paths.py" in files
    found = [
        f"{where}, line {line}: {ref}..."
        for path in files
        for where, text in texts(path)
        for line, ref in outside_references(text)
    ]
    assert not found, "paths outside the repository (cite a file of the repository):\n" + "\n".join(found)


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*$", line)
        if m:
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-"))
    return out


def test_markdown_links_name_files_of_the_repository():
    files = set(tracked_files())
    broken = []
    for path in sorted(f for f in files if f.suffix == ".md"):
        text = path.read_text(encoding="utf-8")
        for target in _LINK.findall(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}: ({target})"
            if ROOT not in linked.parents and linked != ROOT:
                broken.append(f"{where} leaves the repository")
            elif linked.is_file() and linked not in files:
                broken.append(f"{where} names a file git does not track")
            elif not linked.exists():
                broken.append(f"{where} names no file")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked.read_text("utf-8")):
                broken.append(f"{where} names no heading of {linked.name}")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("heading, anchor", [
    ("## One plan for several futures (`plan solve --robust`)",
     "one-plan-for-several-futures-plan-solve---robust"),
    ("### `settings`: how to count and how long to search", "settings-how-to-count-and-how-long-to-search"),
])
def test_anchors_are_githubs(heading, anchor):
    assert anchor in _anchors(heading)
