"""Where the app's files are: templates, static files and translations, in a checkout or installed.

Its own module, so that assets.py and i18n.py find their folders without importing the package root (whose
create_app imports them: that would be an import cycle).
"""

from __future__ import annotations

import os

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(PACKAGE_DIR)  # the checkout (in an installed copy: site-packages)


def is_installed() -> bool:
    """True when this copy of the package carries its own templates/, static/ and translations/: installed
    from a wheel, which hatch_build.py fills. A checkout (or an editable install) keeps them at the top."""
    return os.path.isdir(os.path.join(PACKAGE_DIR, "templates"))


def package_path(folder: str) -> str:
    """Where ``templates``, ``static`` or ``translations`` is: inside the package when installed, else the
    checkout's top-level folder."""
    return os.path.join(PACKAGE_DIR if is_installed() else ROOT, folder)


def instance_path() -> str:
    """The folder for the demo's SQLite database and Web Push keys: ``MINSIP_INSTANCE_PATH``, else instance/
    in the checkout, or (installed) instance/ in the current directory, never inside site-packages."""
    configured = os.environ.get("MINSIP_INSTANCE_PATH")
    if configured:
        return os.path.abspath(configured)
    return os.path.join(os.getcwd() if is_installed() else ROOT, "instance")
