"""How a plan is made: workbook in, validation, scenarios, solving, reports, CLI."""

import time as _time

STARTED = _time.monotonic()  # the command's clock (optimizer.clock): every phase counts against it
