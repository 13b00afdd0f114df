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
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "citizen_app"
COPIED_FOLDERS = ("static", "templates")


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
            return
        self._compiled = Path(tempfile.mkdtemp(prefix="minsip-translations-"))
        if not compile_catalogues(translations, self._compiled):
            raise ValueError(f"no translations/<lang>/LC_MESSAGES/messages.po under {root}")
        for folder in COPIED_FOLDERS:
            build_data["force_include"][str(root / folder)] = f"{PACKAGE}/{folder}"
        build_data["force_include"][str(self._compiled)] = f"{PACKAGE}/translations"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        compiled = getattr(self, "_compiled", None)
        if compiled is not None:
            shutil.rmtree(compiled, ignore_errors=True)
