# Makes configs/ ship inside the installed package as ``sim.configs`` (see pyproject.toml).
