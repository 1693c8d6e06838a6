"""The station key: kept apart from the store, unlocked from the key folder, the keyring or
a typed passphrase; older stores' keys moved out of the data folder; imports keep old
authorities trusted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography.hazmat.primitives import serialization

from kiosk.store import open_store
from kiosk.store.check import check_store
from kiosk.trust import keys, vault
from kiosk.trust.vault import KeyLocked


def settings(path: Path) -> dict:
    db = sqlite3.connect(path)
    try:
        return json.loads(db.execute("SELECT settings FROM stations").fetchone()[0])
    finally:
        db.close()


@pytest.mark.slow
def test_a_new_store_keeps_no_authority_key_and_no_passphrase_beside_it(store_path) -> None:
    with open_store(store_path) as store:
        identity = keys.station_identity(store)
        folder = keys.vault_of(store).folder
    signing = settings(store_path)["signing"]
    assert "ca_key" not in signing and "ENCRYPTED PRIVATE KEY" in signing["key"]
    assert sorted(p.name for p in store_path.parent.iterdir()) == ["kiosk.db"]
    assert (folder / "passphrase").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert identity.fingerprint_sha256 in (folder / "pins.json").read_text()


@pytest.mark.slow
def test_a_key_folder_inside_the_data_folder_is_refused(store_path, monkeypatch) -> None:
    monkeypatch.setenv("KIOSK_KEY_DIR", str(store_path.parent / "keys"))
    store_path.parent.mkdir(parents=True)
    with open_store(store_path, unlock=False) as store, pytest.raises(KeyLocked, match="inside"):
        keys.unlock_store(store)


@pytest.mark.slow
def test_without_the_key_folder_the_key_stays_locked(store_path, tmp_path, monkeypatch) -> None:
    with open_store(store_path) as store:
        keys.station_identity(store)
        keys.forget(store)
    monkeypatch.setenv("KIOSK_KEY_DIR", str(tmp_path / "another-machine"))
    with open_store(store_path) as store:
        with pytest.raises(KeyLocked, match="locked"):
            keys.station_identity(store)
        report = check_store(store)
    assert not report.ok and "cannot tell" in " ".join(report.problems["audit log"])


@pytest.mark.slow
def test_the_prompt_source_keeps_the_passphrase_in_memory_only(store_path, monkeypatch) -> None:
    monkeypatch.setenv("KIOSK_KEY_SOURCE", "prompt")
    with open_store(store_path, unlock=False) as store:
        with pytest.raises(KeyLocked):
            keys.unlock_store(store)
        vault.remember_passphrase(keys.store_id(store), b"a long typed passphrase")
        keys.unlock_store(store)
        folder = keys.vault_of(store).folder
        keys.forget(store)
    assert not (folder / "passphrase").exists()
    vault._TYPED.clear()
    with open_store(store_path) as store:
        with pytest.raises(KeyLocked):
            keys.station_identity(store)
        vault.remember_passphrase(keys.store_id(store), b"a wrong passphrase")
        with pytest.raises(KeyLocked, match="cannot unlock"):
            keys.station_identity(store)
        vault.remember_passphrase(keys.store_id(store), b"a long typed passphrase")
        assert keys.station_identity(store) is not None
        assert check_store(store).ok
    vault._TYPED.clear()


@pytest.mark.slow
def test_the_keyring_source(store_path, monkeypatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        saved: ClassVar[dict[tuple[str, str], str]] = {}

        def get_password(self, service, username):
            return self.saved.get((service, username))

        def set_password(self, service, username, password):
            self.saved[(service, username)] = password

        def delete_password(self, service, username):
            self.saved.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    monkeypatch.setenv("KIOSK_KEY_SOURCE", "keyring")
    try:
        with open_store(store_path) as store:
            keys.station_identity(store)
            folder = keys.vault_of(store).folder
            keys.forget(store)
        assert MemoryKeyring.saved and not (folder / "passphrase").exists()
        with open_store(store_path) as store:
            assert keys.station_identity(store) is not None
    finally:
        keyring.set_keyring(previous)


@pytest.mark.slow
def test_an_older_store_has_its_key_moved_out_and_its_authority_key_dropped(
    store_path, tmp_path
) -> None:
    """A store as earlier versions left it: passphrase beside it, authority key inside."""
    from reports.pki import create_centre_authority, issue_station_certificate

    with open_store(store_path, unlock=False) as store:
        authority = create_centre_authority("Old Authority", organisation="Old")
        identity = issue_station_certificate(authority, "old-station")
        password = b"old-passphrase-beside-the-store"
        key_pem, cert_pem, chain_pem = identity.to_pem_bundle(password)
        ca_key, ca_cert = authority.to_pem_bundle(password)
        keys._update_settings(
            store,
            "system",
            "signing_identity_created",
            {
                "signing": {
                    "key": key_pem.decode(),
                    "cert": cert_pem.decode(),
                    "chain": [chain_pem.decode()],
                    "ca_key": ca_key.decode(),
                    "ca_cert": ca_cert.decode(),
                    "subject": identity.common_name,
                }
            },
        )
    beside = Path(f"{store_path}.keypass")
    beside.write_bytes(password)
    with open_store(store_path) as store:
        unlocked = keys.station_identity(store)
        assert unlocked.fingerprint_sha256 == identity.fingerprint_sha256
        assert check_store(store).ok, check_store(store).problems
        anchors = keys.centre_certificate_pem(store)
    assert not beside.exists()
    signing = settings(store_path)["signing"]
    assert "ca_key" not in signing and "ca_cert" not in signing
    assert (
        anchors is not None
        and authority.certificate.public_bytes(serialization.Encoding.PEM).decode()
        in anchors.decode()
    )


@pytest.mark.slow
def test_an_import_keeps_the_earlier_authority_and_needs_a_chain(store_path) -> None:
    from reports.pki import create_centre_authority, issue_station_certificate

    org = create_centre_authority("Org Authority", organisation="Org")
    imported = issue_station_certificate(org, "org-station")
    with open_store(store_path) as store:
        first = keys.station_identity(store)
        before = keys.centre_certificate_pem(store)
        assert before is not None
        chainless = imported.__class__(imported.private_key, imported.certificate, ())
        with pytest.raises(ValueError, match="chain"):
            keys.import_identity(store, "ada", chainless.to_pkcs12(b"pw"), b"pw")
        keys.import_identity(store, "ada", imported.to_pkcs12(b"pw"), b"pw")
        after = keys.centre_certificate_pem(store)
        assert keys.station_identity(store).fingerprint_sha256 != first.fingerprint_sha256
        assert check_store(store).ok, check_store(store).problems
    assert after is not None and before.decode() in after.decode()
    assert org.certificate.public_bytes(serialization.Encoding.PEM).decode() in after.decode()
