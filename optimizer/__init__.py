"""How a plan is made: workbook in, validation, scenarios, solving, reports, CLI."""
