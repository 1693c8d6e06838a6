"""The centre authority, station identities, encrypted key storage and PKCS#12 import."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reports.pki import (
    DOCUMENT_SIGNING_EKU,
    Authority,
    Identity,
    create_centre_authority,
    import_pkcs12,
    issue_station_certificate,
)
from reports.verify import verify_pdf
from tests.reports.conftest import CENTRE, STATION, make_pdf, sign

PASSPHRASE = b"correct horse battery staple"


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage:
    return cert.extensions.get_extension_for_class(x509.KeyUsage).value


def _organisation_certificate(
    *,
    issuer: Authority,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    non_repudiation: bool = True,
    digital_signature: bool = True,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    purposes: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    """A certificate as some organisation's own CA might issue it."""
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "Dr Ada Example"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, CENTRE),
                ]
            )
        )
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=non_repudiation,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if purposes is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(purposes), critical=False)
    return builder.sign(issuer.private_key, hashes.SHA256())


def _p12(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    passphrase: bytes | None = PASSPHRASE,
) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(b"org", key, cert, chain, encryption)


@pytest.fixture(scope="module")
def org_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# -- the centre authority ---------------------------------------------------------------


def test_centre_authority_is_a_self_signed_p256_ca(authority: Authority) -> None:
    cert = authority.certificate
    assert cert.subject == cert.issuer
    cert.verify_directly_issued_by(cert)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"  # type: ignore[union-attr]
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = _key_usage(cert)
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert authority.common_name == CENTRE and authority.organisation == CENTRE
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=3649) < lifetime < dt.timedelta(days=3651)


def test_authority_certificate_pem_is_exportable_and_keys_round_trip(
    authority: Authority,
) -> None:
    pem = authority.certificate_pem()
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert x509.load_pem_x509_certificate(pem) == authority.certificate
    key_pem, cert_pem = authority.to_pem_bundle(PASSPHRASE)
    assert b"ENCRYPTED PRIVATE KEY" in key_pem
    again = Authority.from_pem(key_pem, PASSPHRASE, cert_pem)
    assert again.certificate == authority.certificate
    with pytest.raises(ValueError, match="passphrase"):
        Authority.from_pem(key_pem, b"wrong", cert_pem)


# -- station identities -----------------------------------------------------------------


def test_station_certificate_profile(authority: Authority, station: Identity) -> None:
    cert = station.certificate
    cert.verify_directly_issued_by(authority.certificate)
    assert station.common_name == STATION
    assert station.organisation == CENTRE
    usage = _key_usage(cert)
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).critical
    purposes = list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert purposes == [ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_EKU]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert station.chain == (authority.certificate,)
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=824) < lifetime < dt.timedelta(days=826)


def test_station_certificate_never_outlives_the_authority() -> None:
    short = create_centre_authority("Short-lived centre", valid_days=30)
    identity = issue_station_certificate(short, "Station 1", valid_days=825)
    assert identity.certificate.not_valid_after_utc == short.certificate.not_valid_after_utc


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_bad_station_names_are_refused(authority: Authority, name: str) -> None:
    with pytest.raises(ValueError, match="common name"):
        issue_station_certificate(authority, name)


# -- encrypted key storage ---------------------------------------------------------------


def test_pem_bundle_round_trip_keeps_key_certificate_and_chain(station: Identity) -> None:
    key_pem, cert_pem, chain_pem = station.to_pem_bundle(PASSPHRASE)
    assert key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert b"BEGIN PRIVATE KEY" not in key_pem
    loaded = Identity.from_pem(key_pem, PASSPHRASE, cert_pem, chain_pem)
    assert loaded.certificate == station.certificate
    assert loaded.chain == station.chain
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    assert loaded.private_key.public_key().public_bytes(der, spki) == (
        station.private_key.public_key().public_bytes(der, spki)
    )
    # the chain may also be given as a list of PEM blobs
    assert Identity.from_pem(key_pem, PASSPHRASE, cert_pem, [chain_pem]).chain == station.chain


def test_encrypted_key_cannot_be_loaded_without_the_passphrase(station: Identity) -> None:
    key_pem, cert_pem, chain_pem = station.to_pem_bundle(PASSPHRASE)
    with pytest.raises(TypeError):  # the library itself refuses: the key is encrypted
        serialization.load_pem_private_key(key_pem, password=None)
    with pytest.raises(ValueError, match="wrong passphrase"):
        Identity.from_pem(key_pem, b"not the passphrase", cert_pem, chain_pem)
    with pytest.raises(ValueError, match="non-empty passphrase"):
        Identity.from_pem(key_pem, b"", cert_pem, chain_pem)


def test_unencrypted_keys_and_empty_passphrases_are_refused(station: Identity) -> None:
    plain = station.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _, cert_pem, _ = station.to_pem_bundle(PASSPHRASE)
    with pytest.raises(ValueError, match="not encrypted"):
        Identity.from_pem(plain, PASSPHRASE, cert_pem)
    with pytest.raises(ValueError, match="non-empty passphrase"):
        station.to_pem_bundle(b"")


def test_key_of_another_identity_is_refused(authority: Authority, station: Identity) -> None:
    other = issue_station_certificate(authority, "Station 2")
    key_pem, _, _ = other.to_pem_bundle(PASSPHRASE)
    _, cert_pem, _ = station.to_pem_bundle(PASSPHRASE)
    with pytest.raises(ValueError, match="does not belong"):
        Identity.from_pem(key_pem, PASSPHRASE, cert_pem)


# -- PKCS#12 import ----------------------------------------------------------------------


def test_pkcs12_round_trip_of_a_station_identity(station: Identity) -> None:
    data = station.to_pkcs12(PASSPHRASE)
    imported = import_pkcs12(data, PASSPHRASE)
    assert imported.certificate == station.certificate
    assert imported.chain == station.chain
    with pytest.raises(ValueError, match="wrong passphrase"):
        import_pkcs12(data, b"nope")


@pytest.mark.slow
def test_organisation_rsa_pkcs12_is_imported_and_signs_valid_reports(
    authority: Authority, org_rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = _organisation_certificate(
        issuer=authority, key=org_rsa_key, purposes=[ExtendedKeyUsageOID.EMAIL_PROTECTION]
    )
    imported = import_pkcs12(_p12(org_rsa_key, cert, [authority.certificate]), PASSPHRASE)
    assert imported.common_name == "Dr Ada Example"
    assert imported.chain == (authority.certificate,)
    signed = sign(make_pdf(), imported, signer_label="Dr Ada Example")
    verdict = verify_pdf(signed, [authority.certificate_pem()])
    assert verdict.valid, verdict.problems
    assert verdict.signer == "Dr Ada Example"


def test_unprotected_pkcs12_is_accepted_with_no_passphrase(
    authority: Authority, org_rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = _organisation_certificate(issuer=authority, key=org_rsa_key)
    imported = import_pkcs12(_p12(org_rsa_key, cert, [], passphrase=None), None)
    assert imported.certificate == cert and imported.chain == ()


def test_expired_certificate_is_refused(
    authority: Authority, org_rsa_key: rsa.RSAPrivateKey
) -> None:
    now = dt.datetime.now(dt.UTC)
    cert = _organisation_certificate(
        issuer=authority,
        key=org_rsa_key,
        not_before=now - dt.timedelta(days=400),
        not_after=now - dt.timedelta(days=1),
    )
    with pytest.raises(ValueError, match="expired"):
        import_pkcs12(_p12(org_rsa_key, cert, [authority.certificate]), PASSPHRASE)


def test_not_yet_valid_certificate_is_refused(
    authority: Authority, org_rsa_key: rsa.RSAPrivateKey
) -> None:
    now = dt.datetime.now(dt.UTC)
    cert = _organisation_certificate(
        issuer=authority, key=org_rsa_key, not_before=now + dt.timedelta(days=3)
    )
    with pytest.raises(ValueError, match="not valid before"):
        import_pkcs12(_p12(org_rsa_key, cert, []), PASSPHRASE)


@pytest.mark.parametrize(
    ("flags", "missing"),
    [
        ({"non_repudiation": False}, "nonRepudiation"),
        ({"digital_signature": False}, "digitalSignature"),
    ],
)
def test_certificate_without_signing_key_usage_is_refused(
    authority: Authority, org_rsa_key: rsa.RSAPrivateKey, flags: dict[str, bool], missing: str
) -> None:
    cert = _organisation_certificate(issuer=authority, key=org_rsa_key, **flags)
    with pytest.raises(ValueError, match=f"does not allow {missing}"):
        import_pkcs12(_p12(org_rsa_key, cert, []), PASSPHRASE)


def test_certificate_for_other_purposes_is_refused(
    authority: Authority, org_rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = _organisation_certificate(
        issuer=authority, key=org_rsa_key, purposes=[ExtendedKeyUsageOID.SERVER_AUTH]
    )
    with pytest.raises(ValueError, match="not meant for signing documents"):
        import_pkcs12(_p12(org_rsa_key, cert, []), PASSPHRASE)


def test_ca_certificate_is_refused_as_a_signing_identity(authority: Authority) -> None:
    data = _p12(authority.private_key, authority.certificate, [])
    with pytest.raises(ValueError, match="CA certificate"):
        import_pkcs12(data, PASSPHRASE)


def test_pkcs12_without_key_or_certificate_is_refused(
    authority: Authority, org_rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = _organisation_certificate(issuer=authority, key=org_rsa_key)
    encryption = serialization.BestAvailableEncryption(PASSPHRASE)
    serialise = pkcs12.serialize_key_and_certificates
    certificates_only = serialise(b"org", None, None, [cert], encryption)
    key_only = serialise(b"org", org_rsa_key, None, None, encryption)
    for data in (certificates_only, key_only):
        with pytest.raises(ValueError, match="both a private key and its certificate"):
            import_pkcs12(data, PASSPHRASE)


def test_garbage_is_not_pkcs12() -> None:
    with pytest.raises(ValueError, match="cannot open the PKCS#12 file"):
        import_pkcs12(b"not a pkcs12 file", PASSPHRASE)
