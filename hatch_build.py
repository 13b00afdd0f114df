"""Hatchling build hook: what the top-level folders of the checkout become in an install.

The repository keeps static/, templates/ and translations/ at the top (the design card's layout). A wheel
(``pip install .``) carries them inside the package, where citizen_app.paths.package_path() finds them:

    static/                                  -> citizen_app/static/
    templates/                               -> citizen_app/templates/
    translations/<lang>/LC_MESSAGES/messages.po -> citizen_app/translations/<lang>/LC_MESSAGES/messages.mo

The .mo files are compiled here, from the committed .po files, never when the app starts (the install may
be read-only, and several workers would race). An editable install (``pip install -e .``) runs the app from
the checkout, so it gets no copies; the .mo files are compiled into the checkout's translations/ (git ignores
them), as ``pybabel compile -d translations`` does.

Static files are precompressed here too (citizen_app/precompress.py: ``app.css.br`` and ``app.css.gz`` beside
``app.css``), into the wheel's copy of static/, or into the checkout's static/ for an editable install (git
ignores the copies). A server then never compresses a static file per request [issue 17].
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "citizen_app"
COPIED_FOLDERS = ("templates",)  # static/ goes in as a precompressed copy


def _precompress_module(root: Path) -> Any:
    """citizen_app/precompress.py, loaded by its path: the package is not installed while it is built."""
    spec = importlib.util.spec_from_file_location("_minsip_precompress", root / PACKAGE / "precompress.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def precompressed_static(root: Path, target: Path) -> Path:
    """A copy of ``static/`` in ``target`` with ``.br`` and ``.gz`` beside every compressible file."""
    copy = target / "static"
    shutil.copytree(root / "static", copy, ignore=shutil.ignore_patterns("*.br", "*.gz"))
    _precompress_module(root).precompress(str(copy), only_stale=False)
    return copy


def compile_catalogues(translations: Path, target: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``translations`` to the same place under
    ``target``. Fuzzy entries are left out, as gettext would hide them; a catalogue with errors (such as a
    placeholder missing from a translation) stops the build."""
    written = []
    for po_file in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        lang = po_file.parent.parent.name
        with po_file.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        errors = [f"{message.id!r}: {error}" for message, found in catalog.check() for error in found]
        if errors:
            raise ValueError(f"{po_file}: " + "; ".join(errors))
        mo_file = target / po_file.relative_to(translations).with_suffix(".mo")
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with mo_file.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo_file)
    return written


class CompileTranslationsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        translations = root / "translations"
        if version == "editable":
            compile_catalogues(translations, translations)
            _precompress_module(root).precompress(str(root / "static"))
            return
        self._compiled = Path(tempfile.mkdtemp(prefix="minsip-translations-"))
        if not compile_catalogues(translations, self._compiled):
            raise ValueError(f"no translations/<lang>/LC_MESSAGES/messages.po under {root}")
        for folder in COPIED_FOLDERS:
            build_data["force_include"][str(root / folder)] = f"{PACKAGE}/{folder}"
        build_data["force_include"][str(self._compiled)] = f"{PACKAGE}/translations"
        self._static = Path(tempfile.mkdtemp(prefix="minsip-static-"))
        build_data["force_include"][str(precompressed_static(root, self._static))] = f"{PACKAGE}/static"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        for folder in (getattr(self, "_compiled", None), getattr(self, "_static", None)):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
