"""The station's data files (batteries, norms, texts, consent, engagement model).

Installed as the package ``kiosk_resources`` (``package-dir`` maps it to this folder),
so a wheel, an editable install and the station bundle all find the same files.
Callers ask :func:`path` rather than walking up from their own ``__file__``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["path"]


def path(*parts: str) -> Path:
    """The file or folder ``parts`` below the resources root, e.g. ``path("norms")``.

    A :class:`~pathlib.Path` rather than a bare ``Traversable``: callers glob folders
    and record where a battery came from. The package is always installed as files
    on disk (wheel, editable install, bundle); a zipped install is refused here.
    """
    root = files(__name__)
    if not isinstance(root, Path):
        raise RuntimeError(f"kiosk_resources is not on the file system: {root!r}")
    return root.joinpath(*parts)
