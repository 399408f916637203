"""The lessons in one language.

    python -m sim.present.lessons --lang zh                  # notebooks/*.ipynb -> lessons_zh/
    python -m sim.present.lessons --lang zh --out DIR notebooks/02_coarse_against_refined.ipynb

Each lesson in ``notebooks/`` is one file in both languages: its first code cell (tagged
``parameters``) sets ``LANG = "en"`` (or ``"zh"``), which the tables and figures follow, and each
text cell, tagged ``lang-en``, is followed by its translation, tagged ``lang-zh``. Setting
``LANG`` and running the notebook is enough in class; this command writes a copy for one
language, the other language's text left out and ``LANG`` set, so students see only theirs.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

LANGUAGES = ("en", "zh")
TAGS = {lang: f"lang-{lang}" for lang in LANGUAGES}
"""The tag of each language's text cells."""
LANG_LINE = re.compile(r'^LANG = "\w*"', re.MULTILINE)


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def in_language(nb: dict, lang: str) -> dict:
    """A copy of the lesson ``nb`` in one language: the other language's text cells left out and
    ``LANG = "<lang>"`` set in its parameters cell; ``nb`` is left as it is.

    Args:
        nb: A lesson, as its JSON reads (or as ``nbformat.read`` gives it).
        lang: ``"en"`` or ``"zh"``.

    Returns:
        The lesson in ``lang``, of the type of ``nb``.

    Raises:
        ValueError: ``lang`` is neither, or the lesson has no parameters cell with a ``LANG = "..."`` line.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: allowed {', '.join(LANGUAGES)}")
    nb = copy.deepcopy(nb)
    dropped = {tag for other, tag in TAGS.items() if other != lang}
    nb["cells"] = [c for c in nb["cells"] if not dropped & _tags(c)]
    parameters = [c for c in nb["cells"] if "parameters" in _tags(c)]
    if len(parameters) != 1 or not LANG_LINE.search(_text(parameters[0]["source"])):
        raise ValueError('the lesson needs one cell tagged "parameters" with a line LANG = "..."')
    parameters[0]["source"] = LANG_LINE.sub(f'LANG = "{lang}"', _text(parameters[0]["source"]), count=1)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.present.lessons", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", required=True, choices=LANGUAGES, help="the language of the copies")
    parser.add_argument("--out", type=Path, help="the folder of the copies (default: lessons_<lang>/)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="the lessons (default: notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(Path("notebooks").glob("*.ipynb"))
    if not paths:
        parser.error("no lessons given, and none in notebooks/: run it from the repository's top folder")
    lessons = {}
    for path in paths:  # every lesson read and converted before anything is written
        try:
            lessons[path.name] = in_language(json.loads(path.read_text(encoding="utf-8")), args.lang)
        except (OSError, ValueError) as err:
            parser.error(f"{path}: {err}")
    out = args.out or Path(f"lessons_{args.lang}")
    out.mkdir(parents=True, exist_ok=True)
    for name, nb in lessons.items():
        partial = out / f".{name}.partial"
        partial.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        partial.replace(out / name)  # a killed command leaves no half-written lesson
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
