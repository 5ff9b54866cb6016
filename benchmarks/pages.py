"""How a report prints: render workbooks with LibreOffice and count the A4 pages of each sheet.

    python -m benchmarks.pages reports/kei-jv-base.xlsx reports/kei-jv-comparison.xlsx

Each visible sheet is rendered alone (a copy of the workbook, its XML edited in place: the other
sheets hidden and their print ranges dropped, nothing else changed), all copies in one LibreOffice
run, so the count per sheet is exact and the sum is what printing the workbook gives. The PDFs are kept
(`--keep DIR`) to look at, e.g. with `pdftoppm -png -r 50`.

Needs `soffice` (LibreOffice Calc) and `pdfinfo`/`pdftotext` (poppler-utils).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import unescape

_SHEET = re.compile(rb"<sheet\b[^>]*?/>")
_NAME = re.compile(rb'\bname="([^"]*)"')
_STATE = re.compile(rb'\s+state="[^"]*"')
_ACTIVE = re.compile(rb'\s+(activeTab|firstSheet)="[^"]*"')


def tools_missing() -> str | None:
    """Why pages cannot be counted here (None when they can)."""
    missing = [t for t in ("soffice", "pdfinfo", "pdftotext") if shutil.which(t) is None]
    return (
        f"{', '.join(missing)} not installed (apt-get install libreoffice-calc poppler-utils)"
        if missing
        else None
    )


@dataclass(frozen=True)
class SheetPrint:
    workbook: str
    sheet: str
    pdf: Path

    @property
    def pages(self) -> int:
        out = subprocess.run(["pdfinfo", str(self.pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))

    def text(self, page: int) -> str:
        """The text of one page (1-based), laid out as printed."""
        args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(self.pdf), "-"]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    def text_raw(self) -> str:
        """All the text, in the order it is drawn: a wrapped cell's lines stay together."""
        return subprocess.run(
            ["pdftotext", "-raw", str(self.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout

    def page_texts(self) -> list[str]:
        """The drawn text of each page."""
        return self.text_raw().split("\f")[: self.pages]


def visible_sheets(xlsx: Path) -> list[str]:
    with zipfile.ZipFile(xlsx) as z:
        xml = z.read("xl/workbook.xml")
    return [
        _name(m.group(0))
        for m in _SHEET.finditer(xml)
        if b'state="' not in m.group(0) or b'state="visible"' in m.group(0)
    ]


def _name(tag: bytes) -> str:
    return unescape(_NAME.search(tag).group(1).decode(), {"&quot;": '"', "&apos;": "'"})


def _only(xml: bytes, keep: str) -> bytes:
    """workbook.xml with every sheet but `keep` hidden and `keep` the active one."""
    tags = list(_SHEET.finditer(xml))
    index = next(i for i, m in enumerate(tags) if _name(m.group(0)) == keep)
    out, last = [], 0
    for m in tags:
        tag = _STATE.sub(b"", m.group(0))
        if _name(tag) != keep:
            tag = tag[:-2] + b' state="hidden"/>'
        out += [xml[last : m.start()], tag]
        last = m.end()
    out.append(xml[last:])
    xml = b"".join(out)
    # LibreOffice prints a hidden sheet that has a print area: drop the other sheets' print ranges.
    xml = re.sub(
        rb'<definedName name="_xlnm\.Print_(?:Area|Titles)" localSheetId="(\d+)"[^>]*>[^<]*</definedName>',
        lambda m: m.group(0) if int(m.group(1)) == index else b"",
        xml,
    )
    view = b' activeTab="%d" firstSheet="%d"' % (index, index)
    return re.sub(rb"<workbookView\b[^>]*?(?=/?>)", lambda m: _ACTIVE.sub(b"", m.group(0)) + view, xml)


def _copy_with_only(src: Path, keep: str, dest: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = _only(data, keep)
            zout.writestr(item, data)


def render(workbooks: list[Path], out_dir: Path, timeout_s: float = 300.0) -> list[SheetPrint]:
    """Every visible sheet of every workbook rendered alone to PDF in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    copies: list[tuple[Path, str, Path]] = []
    for w, wb in enumerate(workbooks):
        for s, sheet in enumerate(visible_sheets(wb)):
            copy = out_dir / f"w{w}-s{s:02d}.xlsx"
            _copy_with_only(wb, sheet, copy)
            copies.append((wb, sheet, copy))
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        # A private profile: another LibreOffice running on the machine must not take the job.
        cmd = [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *(str(c) for _, _, c in copies),
        ]
        subprocess.run(cmd, capture_output=True, check=True, timeout=timeout_s)
    prints = [SheetPrint(str(wb), sheet, copy.with_suffix(".pdf")) for wb, sheet, copy in copies]
    missing = [p for p in prints if not p.pdf.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no PDF for {', '.join(p.sheet for p in missing)}")
    return prints


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workbooks", nargs="+", type=Path)
    ap.add_argument("--keep", type=Path, help="folder for the PDFs (default: a temporary one)")
    args = ap.parse_args()
    why = tools_missing()
    if why:
        raise SystemExit(why)
    with tempfile.TemporaryDirectory() as tmp:
        prints = render(args.workbooks, args.keep or Path(tmp))
        for wb in args.workbooks:
            mine = [p for p in prints if p.workbook == str(wb)]
            print(f"{wb}: {sum(p.pages for p in mine)} pages")
            for p in mine:
                print(f"  {p.sheet:<32} {p.pages:>3}   {p.pdf.name}")


if __name__ == "__main__":
    main()
