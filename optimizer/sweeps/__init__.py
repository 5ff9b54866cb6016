"""Many cases at once: sweeps over the ranges sheet and --all-scenarios, on one Dask engine."""

from __future__ import annotations

import importlib.util

from optimizer.problems import InputError, Problem

EXTRA_MODULES = ("dask", "distributed", "tqdm")


def require_engine(what: str) -> None:
    """InputError (exit 2, before anything is read) when the sweeps extra is not installed."""
    missing = [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    None,
                    None,
                    f"{what} runs its cases on Dask workers, and {', '.join(missing)} is not installed",
                    "Install plan's sweeps extra: pip install 'kei-plan[sweeps]' (from a checkout: pip "
                    "install -e '.[sweeps]').",
                )
            ]
        )
