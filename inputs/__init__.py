"""The bundled example workbook (a package so that `importlib.resources` finds it in any install)."""
