"""Many cases at once: scenarios, sweeps and the executor that runs them."""
