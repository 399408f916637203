"""``python -m sim.model.params``: the parameter table in Markdown, for ``ODD.md``."""

from sim.model.params.odd_table import print_table

if __name__ == "__main__":
    print_table()
