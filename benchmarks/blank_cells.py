"""Reading a workbook full of formatted blank cells: peak memory and time of `plan validate`.

    python -m benchmarks.blank_cells --cells 5000000 [--keep big.xlsx]

Planners format whole blocks of a sheet (borders, fills, number formats) far beyond their data;
Excel then stores every formatted cell, blank or not. The example workbook is given `--cells`
formatted blank cells below its variants, and `plan validate` reads it in a fresh process; peak
memory is that process's maximum resident set (os.wait4), time is wall time from spawn to exit.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from openpyxl.utils import get_column_letter

COLUMNS = 25


def with_blank_cells(source: Path, target: Path, cells: int) -> Path:
    """`source` with `cells` formatted blank cells (COLUMNS a row) appended to its variants sheet."""
    with zipfile.ZipFile(source) as zin:
        names = zin.namelist()
        workbook = zin.read("xl/workbook.xml").decode()
        rels = zin.read("xl/_rels/workbook.xml.rels").decode()
        sheet_id = re.search(r'<sheet [^>]*name="variants"[^>]*r:id="([^"]+)"', workbook).group(1)
        targets = {}
        for element in re.findall(r"<Relationship [^>]*>", rels):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', element))
            targets[attrs["Id"]] = attrs["Target"]
        part = "xl/" + re.sub(r"^/?(xl/)?", "", targets[sheet_id])
        styles = zin.read("xl/styles.xml").decode()
        style = max(0, int(re.search(r'<cellXfs count="(\d+)"', styles).group(1)) - 1)
        xml = zin.read(part).decode()
        last = max(int(r) for r in re.findall(r'<row r="(\d+)"', xml))
        letters = [get_column_letter(c) for c in range(1, COLUMNS + 1)]
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{letters[-1]}{last + cells // COLUMNS}"/>', xml)
        head, tail = xml.split("</sheetData>")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for name in names:
                if name != part:
                    zout.writestr(name, zin.read(name))
                    continue
                with zout.open(name, "w", force_zip64=True) as fh:  # streamed: this process stays small
                    fh.write(head.encode())
                    for r in range(last + 1, last + 1 + cells // COLUMNS):
                        fh.write((f'<row r="{r}">' + "".join(f'<c r="{x}{r}" s="{style}"/>' for x in letters) + "</row>").encode())
                    fh.write(("</sheetData>" + tail).encode())
    return target


def main() -> None:
    from optimizer.cli import example_workbook

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=5_000_000)
    ap.add_argument("--keep", type=Path, help="Keep the workbook built at this path.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "blank-cells.xlsx"
        with_blank_cells(example_workbook(), path, args.cells)
        size = path.stat().st_size / 1e6
        code, seconds, peak, err = run(path)
    print(f"{args.cells:,} formatted blank cells, {size:.1f} MB file: exit {code}, {seconds:.1f} s, peak RSS {peak:,.0f} MB")
    if code:
        print(err, file=sys.stderr)


def run(path: Path) -> tuple[int, float, float, str]:
    """`plan validate` in a child process, peak RSS from the kernel's accounting of that child."""
    plan = Path(sys.executable).parent / "plan"
    started = time.perf_counter()
    proc = subprocess.Popen([str(plan), "validate", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, err.decode(errors="replace")


if __name__ == "__main__":
    main()
