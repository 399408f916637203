"""Pages made at build time, so that each keeps one source in the repository (docs/hooks.py calls
`generate`).

* ``model/``: ODD.md split at its ``## `` sections, one page each, headings raised one level;
  a link to an anchor of another section points at that section's page.
* ``reference/``: one page per sub-package of ``sim`` and one per command, every module rendered
  from its docstrings by mkdocstrings.
* ``lessons/``: the notebooks of ``notebooks/``, shown as stored (mkdocs-jupyter, not executed).
* ``results/``: the committed figures, copied as they are, so that pages can show them, and a
  page for each results table (Markdown) that a page links to.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from markdown.extensions.toc import slugify

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("results/figures", "results/benchmark", "results/calibration/figures")
PACKAGES = ("model", "measure", "study", "present")
COMMANDS = ("cli", "lab")


def odd_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """ODD.md's preamble (after its title) and its ``## `` sections as (heading, body)."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    preamble = parts[0].split("\n", 1)[1] if parts[0].startswith("# ") else parts[0]
    return preamble, list(zip(parts[1::2], parts[2::2]))


def page_name(heading: str) -> str:
    """``7 Submodels`` -> ``07-submodels.md``; ``References`` -> ``references.md``."""
    number = re.match(r"(\d+) ", heading)
    slug = slugify(heading[number.end() :] if number else heading, "-")
    return f"{int(number[1]):02d}-{slug}.md" if number else f"{slug}.md"


def anchors(heading: str, body: str) -> list[str]:
    """The anchors of one section's page: its own heading's and its subsections'."""
    return [slugify(heading, "-")] + [slugify(h, "-") for h in re.findall(r"^#{3,6} (.+)$", body, flags=re.M)]


def odd_owner(text: str) -> dict[str, str]:
    """Each anchor of ODD.md -> the model page that holds it."""
    _, sections = odd_sections(text)
    return {a: page_name(h) for h, b in sections for a in anchors(h, b)}


def odd_pages(text: str) -> dict[str, str]:
    """Page file name -> Markdown, for the model's index page and each section of ODD.md."""
    preamble, sections = odd_sections(text)
    owner = odd_owner(text)

    def relink(body: str, page: str) -> str:
        def fix(m: re.Match) -> str:
            target = owner.get(m[1])
            return m[0] if target in (None, page) else f"]({target}#{m[1]})"

        return re.sub(r"\]\(#([^)\s]+)\)", fix, body)

    note = "<!-- Made at build time from ODD.md by docs/gen_pages.py: edit ODD.md. -->"
    contents = "\n".join(f"* [{h}]({page_name(h)})" for h, _ in sections)
    pages = {
        "index.md": f"# The model (ODD protocol)\n\n{note}\n\n"
        + relink(preamble.strip().removesuffix("---").strip(), "index.md")
        + f"\n\n## Sections\n\n{contents}\n"
    }
    for heading, body in sections:
        name = page_name(heading)
        body = re.sub(r"^#(#{2,5}) ", r"\1 ", body, flags=re.M)  # ### 7.1 ... -> ## 7.1 ...
        body = body.strip().removesuffix("---").strip()
        pages[name] = f"# {heading}\n\n{note}\n\n{relink(body, name)}\n"
    return pages


def modules(package: str) -> list[str]:
    """The public modules of ``sim.<package>``, dotted, in file order."""
    found = (ROOT / "sim" / package).rglob("*.py")
    return sorted(p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".") for p in found if p.name[0] != "_")


def reference_pages() -> dict[str, str]:
    """Page file name -> Markdown: one page per sub-package and one per command."""
    pages = {}
    for package in PACKAGES:
        quiet = "    options:\n      show_root_heading: false"
        parts = [f"# sim.{package}", f"::: sim.{package}\n{quiet}\n      members: false"]
        parts += [f"## {m}\n\n::: {m}\n{quiet}" for m in modules(package)]
        pages[f"{package}.md"] = "\n\n".join(parts) + "\n"
    for command in COMMANDS:
        pages[f"{command}.md"] = f"# sim.{command}\n\n::: sim.{command}\n{quiet}\n"
    return pages


def lessons() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def lesson_title(notebook: Path) -> str:
    """The first heading of a notebook's first Markdown cell, else its file name."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            first = "".join(cell["source"]).strip().splitlines()[0]
            if first.startswith("#"):
                return first.lstrip("#").strip()
    return notebook.stem


def linked_results() -> list[Path]:
    """The results tables (Markdown under results/) that the pages of docs/ link to."""
    found = set()
    for page in (ROOT / "docs").rglob("*.md"):
        for target in re.findall(r"\]\(([^)\s#]+)", page.read_text(encoding="utf-8")):
            file = (page.parent / target).resolve()
            if file.suffix == ".md" and file.is_relative_to(ROOT / "results") and file.is_file():
                found.add(file)
    return sorted(found)


def results_page(file: Path) -> str:
    """A results table as a page: its path as the title (unless it has a title), then the table."""
    name = file.relative_to(ROOT).as_posix()
    note = f"<!-- Made at build time from {name}: edit the experiment that writes it. -->"
    text = file.read_text(encoding="utf-8")
    if text.startswith("# "):
        title, rest = text.split("\n", 1)
        return f"{title}\n\n`{name}`\n\n{note}\n{rest}"
    return f"# {file.name}\n\n`{name}`\n\n{note}\n\n{text}"


def generate() -> dict[str, bytes]:
    """Every generated file, by its path under the documentation's folder."""
    out: dict[str, bytes] = {}
    odd = odd_pages((ROOT / "ODD.md").read_text(encoding="utf-8"))
    out |= {f"model/{name}": text.encode() for name, text in odd.items()}
    out |= {f"reference/{name}": text.encode() for name, text in reference_pages().items()}
    out |= {f"lessons/{nb.name}": nb.read_bytes() for nb in lessons()}
    out |= {f.relative_to(ROOT).as_posix(): results_page(f).encode() for f in linked_results()}
    for folder in FIGURES:
        out |= {f.relative_to(ROOT).as_posix(): f.read_bytes() for f in sorted((ROOT / folder).glob("*.png"))}
    return out


def nav() -> dict[str, list]:
    """The navigation of the generated sections, in the form of mkdocs.yml's ``nav``."""
    odd = odd_pages((ROOT / "ODD.md").read_text(encoding="utf-8"))
    return {
        "model/": [{t.splitlines()[0][2:]: f"model/{n}"} for n, t in odd.items()],
        "reference/": [{f"sim.{Path(n).stem}": f"reference/{n}"} for n in reference_pages()],
        "lessons/": [{lesson_title(nb): f"lessons/{nb.name}"} for nb in lessons()],
    }
