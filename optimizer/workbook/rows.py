"""Where each named record sits in the workbook, so that a report can send the planner to the row
(the Diagnosis sheet's row column), and which scenario, if any, set a cell of it."""

from __future__ import annotations

from optimizer.workbook.read import RawWorkbook

# The column that names a record on each sheet whose records have names.
KEY_COLUMNS = {
    "variants": "variant",
    "plants": "plant",
    "packs": "pack",
    "brands": "brand",
    "categories": "category",
    "rules": "rule",
}


def record_rows(raw: RawWorkbook) -> tuple[tuple[str, str, int, tuple[tuple[str, str], ...]], ...]:
    """(sheet, record name, Excel row, ((column, scenario that changed it), ...)) for every named
    row read from the workbook (rows a scenario added have no Excel row and are left out)."""
    out = []
    for sheet, key in KEY_COLUMNS.items():
        table = raw.sheets.get(sheet)
        if table is None:
            continue
        for row in table.rows:
            name = row.cells.get(key)
            if row.number is not None and name is not None and str(name).strip():
                out.append((sheet, str(name).strip(), row.number, tuple(sorted(row.changed_by.items()))))
    return tuple(out)


def merged_rows(raws: list[RawWorkbook]) -> tuple[tuple[str, str, int, tuple[tuple[str, str], ...]], ...]:
    """record_rows of several futures' workbooks (the same rows, each under its own scenario) as one:
    a record's changed cells are those any future's scenario set, each with the change that set it."""
    merged: dict[tuple[str, str, int], dict[tuple[str, str], None]] = {}
    for raw in raws:
        for sheet, name, row, changed in record_rows(raw):
            merged.setdefault((sheet, name, row), {}).update(dict.fromkeys(changed))
    return tuple((sheet, name, row, tuple(sorted(changed))) for (sheet, name, row), changed in merged.items())
