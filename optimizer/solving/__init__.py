"""Solving: checks that need no solver, the model handed to HiGHS, the plan read back and checked, and
the diagnosis when no plan exists."""
