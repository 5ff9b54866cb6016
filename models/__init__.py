"""What is optimised: the validated input (`data`), the index sets after exact deductions (`index`),
the families of the formulation (`design`, `physics`, `plants`, `volumes`, `demand`, `cuts`,
`cost`, assembled by `build`), plans (`plan`, `values`) and their evaluation by the spec's formulas
(`evaluate`). Knows nothing of Excel or the CLI."""
