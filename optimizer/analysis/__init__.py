"""Analysis of a solved case for the report — plain numbers and sentences, no Excel.

Each module answers one question a planner asks of a plan: does every variant comply
(compliance), which limits cost money and how much (marginals, whatif, limits), what does each
car cost (cost_per_car), who pays (allocation), what is shared (sharing), where the
numbers come from (provenance) and what it all means (conclusion).
"""
