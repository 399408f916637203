"""``python -m sim``: see :mod:`sim.cli`."""

import sys

try:
    from sim.cli import cli
except KeyboardInterrupt:  # Ctrl-C while the libraries load: nothing has started yet
    print("\ngovsim: interrupted before anything was written.", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    cli()
