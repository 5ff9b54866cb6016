"""What is optimised: the plan's input, the formulation and the plan's evaluation (no Excel, no CLI)."""
