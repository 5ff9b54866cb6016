"""Workbook in: read the planner's .xlsx, apply a scenario, validate it into a `models.data.PlanInput`."""
