"""govsim's sweeper for Hydra (configs/hydra/sweeper/govsim.yaml)."""
