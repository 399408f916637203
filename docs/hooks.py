"""MkDocs hooks (mkdocs.yml, ``hooks:``): the generated pages, links that work in both places,
the lessons in both languages, and the docstrings' cross-references.

**Generated pages.** The site is built from a copy of docs/ to which the pages made from other
sources are added (docs/gen_pages.py: the model from ODD.md, the API reference, the lessons, the
committed figures and the results tables the pages link to). The copy lives in a temporary
folder for as long as the command runs. The pages are real files there because
mkdocs-static-i18n localises only files inside the documentation's folder; virtual files (as
mkdocs-gen-files makes them) it leaves out.

**Links.** A page in docs/ links to files outside docs/ as they lie in the repository, so that
its links also work where the Markdown is read as it is: ``../ODD.md#7-submodels``,
``../results/figures/compare_regimes_headline.png``, ``../notebooks/01_one_run_one_issue.ipynb``.
On the site ODD.md is the model's pages and the others are copies, so each such link is pointed
at its page or copy. A link to anything else outside docs/ is left as it is, and strict mode
reports it.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import posixpath
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s#]*)(#[^)\s]*)?(\s+\"[^\"]*\")?\)")
STAGE = Path(tempfile.gettempdir()) / f"govsim-docs-{os.getpid()}"

_spec = importlib.util.spec_from_file_location("gen_pages", DOCS / "gen_pages.py")
gen_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_pages)


def _sources() -> dict[str, bytes]:
    """Every file of the site's sources: docs/ as it is (but its Python), and the generated ones."""
    files = {
        p.relative_to(DOCS).as_posix(): p.read_bytes()
        for p in DOCS.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    return files | gen_pages.generate()


def stage(into: Path) -> None:
    """Make ``into`` hold exactly the site's sources, writing only what changed."""
    files = _sources()
    for path, content in files.items():
        target = into / path
        if not target.is_file() or target.read_bytes() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    for old in sorted(into.rglob("*"), reverse=True):
        if old.is_file() and old.relative_to(into).as_posix() not in files:
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()


def expand_nav(nav: list, generated: dict[str, list]) -> list:
    """Replace each ``model/``-style entry of the navigation with the pages generated there."""

    def expand(item):
        if isinstance(item, dict):
            return {k: expand(v) for k, v in item.items()}
        if isinstance(item, list):
            return [expand(i) for i in item]
        return generated.get(item, item)

    return expand(nav)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale_copies() -> None:
    """Remove the copies left by commands that ended without cleaning up (killed, not stopped)."""
    for old in STAGE.parent.glob("govsim-docs-*"):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


def on_config(config):
    if Path(config.docs_dir).resolve() != STAGE.resolve():  # not again for the other language's build
        clear_stale_copies()
        stage(STAGE)
        atexit.register(shutil.rmtree, STAGE, ignore_errors=True)
        config.docs_dir = str(STAGE)
    config.nav = expand_nav(config.nav, gen_pages.nav())
    return config


@event_priority(-110)  # after mkdocs-static-i18n (-100), which rebuilds every file as a plain File
def on_files(files, config):
    """Make the lessons notebook pages again (mkdocs-jupyter), in the language being built.

    mkdocs-jupyter marks each notebook a page; mkdocs-static-i18n, running after it, remakes every
    file of the documentation's folder as a plain file, so the notebooks would be copied as they
    are. Here they are wrapped again, and in the Chinese build given the Chinese pages' place.
    """
    from mkdocs_jupyter.plugin import NotebookFile

    jupyter, i18n = config.plugins.get("mkdocs-jupyter"), config.plugins.get("i18n")
    if jupyter is None:
        return files
    lang = i18n.current_language if i18n is not None and not i18n.is_default_language_build else ""

    def wrap(file):
        if isinstance(file, NotebookFile) or not jupyter.should_include(file):
            return file
        page = NotebookFile(file, **config)
        if lang:
            page.dest_path = posixpath.join(lang, page.dest_path)
            page.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, page.dest_path))
            page.url = posixpath.join(lang, page.url)
        return page

    for file in list(files):  # in place: the files are mkdocs-static-i18n's, which map the languages
        page = wrap(file)
        if page is not file:
            files.remove(file)
            files.append(page)
    return files


def on_serve(server, config, builder):
    server.unwatch(config.docs_dir)  # the copy: the sources are watched instead (mkdocs.yml, watch)
    return server


def site_target(path: str, anchor: str, owner: dict[str, str]) -> str | None:
    """Where on the site a file of the repository (its path from the top) lives, or None."""
    if path == "ODD.md":
        return f"model/{owner.get(anchor.lstrip('#'), 'index.md')}"
    if any(path.startswith(f"{folder}/") for folder in gen_pages.FIGURES) and (ROOT / path).is_file():
        return path  # a committed figure, copied
    if path.startswith("results/") and path.endswith(".md") and (ROOT / path).is_file():
        return path  # a results table, made a page
    if path.startswith("notebooks/") and path.endswith(".ipynb") and (ROOT / path).is_file():
        return f"lessons/{path.removeprefix('notebooks/')}"
    return None


def rewrite(markdown: str, src_uri: str, owner: dict[str, str]) -> str:
    """Point the links of the page docs/<src_uri> to files outside docs/ at their place on the site."""
    here = posixpath.dirname(src_uri)

    def fix(m: re.Match) -> str:
        opening, path, anchor, title = m[1], m[2], m[3] or "", m[4] or ""
        if not path or re.match(r"[a-z][a-z0-9+.-]*:", path) or path.startswith("/"):
            return m[0]
        in_repo = posixpath.normpath(posixpath.join("docs", here, path))
        target = None if in_repo.startswith("docs/") else site_target(in_repo, anchor, owner)
        if target is None:
            return m[0]
        return f"{opening}{posixpath.relpath(target, here or '.')}{anchor}{title})"

    return LINK.sub(fix, markdown)


ROLE = re.compile(r":(?:mod|class|func|meth|attr|data|obj|exc):<code>(~?)([\w.]+)</code>")


def sphinx_roles(html: str) -> str:
    """The docstrings name objects in Sphinx's way (``:func:`~sim.x.f```), which mkdocstrings
    leaves as text: each becomes a cross-reference (mkdocs-autorefs) to the object's place in the
    API reference, shown as its last name after a ``~``, and left as code where it has none."""

    def ref(m: re.Match) -> str:
        shown = m[2].rsplit(".", 1)[-1] if m[1] else m[2]
        return f'<autoref identifier="{m[2]}" optional><code>{shown}</code></autoref>'

    return ROLE.sub(ref, html)


def on_page_content(html, page, config, files):
    return sphinx_roles(html)


def on_page_markdown(markdown, page, config, files):
    owner = gen_pages.odd_owner((ROOT / "ODD.md").read_text(encoding="utf-8"))
    return rewrite(markdown, page.file.src_uri, owner)
