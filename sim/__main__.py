"""``python -m sim``: see :mod:`sim.cli`."""

from sim.cli import cli

if __name__ == "__main__":
    cli()
