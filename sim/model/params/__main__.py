"""``python -m sim.model.params``: the parameter table in Markdown, for ``ODD.md``;
``python -m sim.model.params --ledger``: the ledger of costs and benefits (ODD 7.19)."""

import sys

from sim.model.params.odd_table import print_table

if __name__ == "__main__":
    args = sys.argv[1:]
    if args not in ([], ["--ledger"]):
        print("usage: python -m sim.model.params [--ledger]", file=sys.stderr)
        sys.exit(2)
    print_table(ledger=args == ["--ledger"])
