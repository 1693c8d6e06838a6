"""The station's key folder: what a copy of the store and its data folder does not hold.

The store keeps the station's private key only encrypted (PKCS#8). What unlocks it,
which keys and authorities this station trusts, and the newest audit entry it wrote
live here, outside the data folder, one sub-folder per store (named by the store's
random ``store_id``), mode 0700, files 0600:

- ``passphrase``: the key's passphrase, when the source is ``file``;
- ``pins.json``: fingerprints of the station certificates and centre authorities this
  station has used; signatures by any other key are not the station's;
- ``head.json``: the audit log's newest entry (seq and hash) as of the last commit, so
  that deleting the newest entries from the store is seen.

Where the passphrase comes from (``KIOSK_KEY_SOURCE``):

- ``file`` (the default, unattended): the ``passphrase`` file above. Anyone who can read
  the key folder *and* the store can sign as the station; keep the key folder off
  backups and copies of the data folder.
- ``keyring``: the operating system's keyring (Windows Credential Manager, macOS
  Keychain, Secret Service) through :mod:`keyring`; also unattended, guarded by the OS
  account's login.
- ``prompt``: an admin types it when the station starts; it is kept in memory only.
  Nothing on disk unlocks the key, so the station cannot sign until someone types it.

The key folder is ``KIOSK_KEY_DIR`` if set, else the user's config folder
(``~/.config/kiosk/keys`` on Linux). It must not be inside the store's folder.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

__all__ = [
    "KEY_DIR_ENV",
    "KEY_SOURCE_ENV",
    "KeyLocked",
    "Vault",
    "key_dir",
    "key_source",
    "remember_passphrase",
]

KEY_DIR_ENV = "KIOSK_KEY_DIR"
KEY_SOURCE_ENV = "KIOSK_KEY_SOURCE"
SOURCES = ("file", "keyring", "prompt")
_KEYRING_SERVICE = "kiosk-station-key"

# Passphrases typed at start-up (source "prompt"), by store id; memory only.
_TYPED: dict[str, bytes] = {}
# Commits on several threads record their heads in any order; the anchor only moves on.
_HEAD_LOCK = threading.Lock()


class KeyLocked(RuntimeError):
    """The station key cannot be unlocked here; the message says why and what to do."""


def key_dir() -> Path:
    env = os.environ.get(KEY_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return platformdirs.user_config_path("kiosk", appauthor=False) / "keys"


def key_source() -> str:
    source = os.environ.get(KEY_SOURCE_ENV, "file").strip().lower() or "file"
    if source not in SOURCES:
        raise KeyLocked(
            f"{KEY_SOURCE_ENV}={source!r} is not a key source; use one of {', '.join(SOURCES)}"
        )
    return source


def remember_passphrase(store_id: str, passphrase: bytes) -> None:
    """Keep a passphrase an admin typed (source ``prompt``) for this process only."""
    _TYPED[store_id] = passphrase


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Vault:
    """One store's entry in the key folder."""

    folder: Path
    store_id: str

    @classmethod
    def of(cls, store_path: Path, store_id: str) -> Vault:
        base = key_dir()
        data_folder = Path(store_path).resolve().parent
        if _inside(base, data_folder) or _inside(data_folder, base):
            raise KeyLocked(
                f"the key folder {base} is inside the store's folder {data_folder} (or the "
                f"other way round), so a copy of one carries the other; set {KEY_DIR_ENV} "
                "to a folder elsewhere"
            )
        return cls(base / store_id, store_id)

    def exists(self) -> bool:
        return self.folder.is_dir()

    def _ensure(self) -> None:
        self.folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder.mkdir(exist_ok=True, mode=0o700)
        if os.name == "posix":
            os.chmod(self.folder, 0o700)

    # The passphrase ------------------------------------------------------------------

    def passphrase(self) -> bytes | None:
        """The key's passphrase from the configured source, or None if not available."""
        source = key_source()
        if source == "prompt":
            return _TYPED.get(self.store_id)
        if source == "keyring":
            import keyring

            value = keyring.get_password(_KEYRING_SERVICE, self.store_id)
            return value.encode() if value else None
        path = self.folder / "passphrase"
        return path.read_bytes().strip() if path.exists() else None

    def new_passphrase(self, value: bytes | None = None) -> bytes:
        """Make (or take) and keep the passphrase for a new key, in the configured source."""
        secret = value or secrets.token_urlsafe(32).encode()
        source = key_source()
        self._ensure()
        if source == "prompt":
            if value is None:
                raise KeyLocked(
                    "the key source is 'prompt': an admin must type a passphrase for the new key"
                )
            _TYPED[self.store_id] = secret
        elif source == "keyring":
            import keyring

            keyring.set_password(_KEYRING_SERVICE, self.store_id, secret.decode())
        else:
            _write_private(self.folder / "passphrase", secret)
        return secret

    # Pins ----------------------------------------------------------------------------

    def _pins(self) -> dict[str, list[str]]:
        path = self.folder / "pins.json"
        if not path.exists():
            return {"certs": [], "anchors": []}
        data: dict[str, list[str]] = json.loads(path.read_text())
        return data

    def pinned_certs(self) -> frozenset[str]:
        return frozenset(self._pins().get("certs", []))

    def pinned_anchors(self) -> frozenset[str]:
        return frozenset(self._pins().get("anchors", []))

    def pin(self, certs: Iterable[str] = (), anchors: Iterable[str] = ()) -> None:
        pins = self._pins()
        for kind, new in (("certs", certs), ("anchors", anchors)):
            pins[kind] = sorted(set(pins.get(kind, [])) | set(new))
        self._ensure()
        _write_private(self.folder / "pins.json", json.dumps(pins, indent=1).encode())

    # The audit head ------------------------------------------------------------------

    def head(self) -> tuple[int, str] | None:
        path = self.folder / "head.json"
        if not path.exists():
            return None
        data: dict[str, Any] = json.loads(path.read_text())
        return int(data["seq"]), str(data["hash"])

    def record_head(self, seq: int, digest: str) -> None:
        current = self.head()
        if current is not None and current[0] > seq:
            return  # never move the anchor back
        self._ensure()
        _write_private(self.folder / "head.json", json.dumps({"seq": seq, "hash": digest}).encode())
