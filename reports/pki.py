"""A test centre's own small PKI: one centre authority, one signing identity per station.

Contract
--------
- :func:`create_centre_authority` makes a self-signed CA certificate (BasicConstraints
  ``CA=true, pathlen=0``, key usage ``keyCertSign`` + ``cRLSign``, no extended key usage,
  so that NSS/poppler accept it as an e-mail/document CA). Admins hand its certificate
  (:meth:`Authority.certificate_pem`) to whoever must verify reports.
- :func:`issue_station_certificate` makes a station identity: subject ``CN=<station>``,
  ``O=<centre>``, BasicConstraints ``CA=false``, key usage ``digitalSignature`` +
  ``nonRepudiation`` (critical) and extended key usage ``emailProtection`` +
  ``id-kp-documentSigning`` (1.3.6.1.5.5.7.3.36, RFC 9336). pyHanko accepts any EKU; poppler
  validates signers through NSS's "e-mail signer" usage, which refuses a certificate whose
  EKU lacks ``emailProtection`` (checked with pdfsig 22.12: documentSigning alone gives
  "Unknown issue with Certificate"), hence both.
- :func:`import_pkcs12` loads an organisation's own PKCS#12 and refuses (``ValueError``
  with a plain-language message) a certificate that is expired or not yet valid, is a CA,
  lacks ``digitalSignature`` or ``nonRepudiation``, carries an EKU unsuitable for document
  signing, or whose key is not RSA (>= 2048 bits) or EC.

Keys are ECDSA on NIST P-256 with SHA-256: about the strength of RSA 3072 (128-bit
security), but key generation takes milliseconds instead of seconds, signatures are 64
bytes, and pyHanko, poppler/NSS and Adobe Reader all verify it.

Private keys only leave this module encrypted: :meth:`Identity.to_pem_bundle` writes PKCS#8
with ``BestAvailableEncryption`` and :meth:`Identity.from_pem` refuses an unencrypted key
as well as a wrong or missing passphrase. Passphrases are non-empty ``bytes``. With
``cryptography`` 50 that is PBES2 with PBKDF2-HMAC-SHA256 at only 2048 iterations (OpenSSL's
default) and AES-256-CBC, so the passphrase must be strong on its own: generate it (e.g. 32
random bytes kept in the OS keyring), do not let people pick it.

Everything here is plain ``cryptography``; no OpenSSL command line, no Qt, no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

__all__ = [
    "DOCUMENT_SIGNING_EKU",
    "Authority",
    "Identity",
    "SigningKey",
    "check_signing_certificate",
    "create_centre_authority",
    "import_pkcs12",
    "issue_station_certificate",
]

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
"""The private key types a signing identity may hold."""

DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
"""id-kp-documentSigning (RFC 9336)."""

# Purposes under which a certificate may sign documents. anyExtendedKeyUsage and Adobe's
# "Authentic Documents Trust" are what organisation-issued signing certificates carry.
_DOCUMENT_SIGNING_PURPOSES = frozenset(
    {
        DOCUMENT_SIGNING_EKU,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
        ObjectIdentifier("1.2.840.113583.1.1.5"),
    }
)

_CURVE = ec.SECP256R1()
_HASH = hashes.SHA256()
_BACKDATE = dt.timedelta(minutes=5)  # tolerate small clock differences between stations
_MAX_CN = 64  # ub-common-name, RFC 5280


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _name(common_name: str, organisation: str) -> x509.Name:
    for label, value in (("common name", common_name), ("organisation", organisation)):
        if not value.strip():
            raise ValueError(f"the {label} must not be empty")
        if len(value) > _MAX_CN:
            raise ValueError(f"the {label} is longer than {_MAX_CN} characters: {value!r}")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _attribute(name: x509.Name, oid: ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _check_passphrase(passphrase: bytes) -> None:
    if not isinstance(passphrase, bytes) or not passphrase:
        raise ValueError("a non-empty passphrase (bytes) is required to protect private keys")


def _encrypted_pem(key: SigningKey, passphrase: bytes) -> bytes:
    _check_passphrase(passphrase)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def _load_encrypted_key(key_pem: bytes, passphrase: bytes) -> SigningKey:
    _check_passphrase(passphrase)
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" not in key_pem:
        raise ValueError("the private key is not encrypted; kiosk keys must be stored encrypted")
    try:
        key = serialization.load_pem_private_key(key_pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise ValueError("cannot unlock the private key: wrong passphrase or damaged key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"unsupported private key type {type(key).__name__}")
    return key


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _load_pems(pems: bytes | Sequence[bytes]) -> list[x509.Certificate]:
    blobs = [pems] if isinstance(pems, bytes) else list(pems)
    certs: list[x509.Certificate] = []
    for blob in blobs:
        if blob.strip():
            certs.extend(x509.load_pem_x509_certificates(blob))
    return certs


def _same_public_key(key: SigningKey, cert: x509.Certificate) -> bool:
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(der, spki) == cert.public_key().public_bytes(der, spki)


def _ordered_chain(
    leaf: x509.Certificate, others: Iterable[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    """Issuers of ``leaf`` nearest first, then any certificates that fit nowhere."""
    pool = [c for c in others if c != leaf]
    chain: list[x509.Certificate] = []
    current = leaf
    while current.issuer != current.subject:
        issuer = next((c for c in pool if c.subject == current.issuer), None)
        if issuer is None:
            break
        pool.remove(issuer)
        chain.append(issuer)
        current = issuer
    return (*chain, *pool)


@dataclass(frozen=True)
class Authority:
    """A centre's certification authority: the trust anchor for its stations' reports."""

    private_key: SigningKey
    certificate: x509.Certificate

    @property
    def common_name(self) -> str:
        return _attribute(self.certificate.subject, NameOID.COMMON_NAME) or ""

    @property
    def organisation(self) -> str:
        return _attribute(self.certificate.subject, NameOID.ORGANIZATION_NAME) or self.common_name

    def certificate_pem(self) -> bytes:
        """The CA certificate in PEM, for verifiers (``kiosk verify --trust``, pdfsig, Acrobat)."""
        return _pem(self.certificate)

    def to_pem_bundle(self, passphrase: bytes) -> tuple[bytes, bytes]:
        """``(encrypted PKCS#8 key PEM, certificate PEM)``."""
        return _encrypted_pem(self.private_key, passphrase), _pem(self.certificate)

    @classmethod
    def from_pem(cls, key_pem: bytes, passphrase: bytes, cert_pem: bytes) -> Authority:
        key = _load_encrypted_key(key_pem, passphrase)
        cert = x509.load_pem_x509_certificate(cert_pem)
        if not _same_public_key(key, cert):
            raise ValueError("the private key does not belong to the authority certificate")
        return cls(private_key=key, certificate=cert)


@dataclass(frozen=True)
class Identity:
    """A signing identity: private key, its certificate and the issuing chain.

    ``chain`` holds the issuers, nearest first; it may end with the root. It is embedded
    in every signature so that verifiers can build the path to their trust anchor.
    """

    private_key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def common_name(self) -> str:
        return _attribute(self.certificate.subject, NameOID.COMMON_NAME) or ""

    @property
    def organisation(self) -> str | None:
        return _attribute(self.certificate.subject, NameOID.ORGANIZATION_NAME)

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def to_pem_bundle(self, passphrase: bytes) -> tuple[bytes, bytes, bytes]:
        """``(encrypted PKCS#8 key PEM, certificate PEM, chain PEMs concatenated)``."""
        chain_pem = b"".join(_pem(c) for c in self.chain)
        return _encrypted_pem(self.private_key, passphrase), _pem(self.certificate), chain_pem

    @classmethod
    def from_pem(
        cls,
        key_pem: bytes,
        passphrase: bytes,
        cert_pem: bytes,
        chain_pems: bytes | Sequence[bytes] = (),
    ) -> Identity:
        """Load what :meth:`to_pem_bundle` wrote; ``chain_pems`` may be one blob or several."""
        key = _load_encrypted_key(key_pem, passphrase)
        cert = x509.load_pem_x509_certificate(cert_pem)
        if not _same_public_key(key, cert):
            raise ValueError("the private key does not belong to the certificate")
        return cls(private_key=key, certificate=cert, chain=tuple(_load_pems(chain_pems)))

    def to_pkcs12(self, passphrase: bytes, *, friendly_name: bytes | None = None) -> bytes:
        """The identity as an encrypted PKCS#12 file (for backup or another signing tool)."""
        _check_passphrase(passphrase)
        return pkcs12.serialize_key_and_certificates(
            friendly_name or self.common_name.encode("utf-8"),
            self.private_key,
            self.certificate,
            list(self.chain) or None,
            serialization.BestAvailableEncryption(passphrase),
        )


def create_centre_authority(
    common_name: str, *, organisation: str | None = None, valid_days: int = 3650
) -> Authority:
    """A new self-signed centre CA (P-256). ``organisation`` defaults to ``common_name``."""
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    key = ec.generate_private_key(_CURVE)
    name = _name(common_name, organisation or common_name)
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, _HASH)
    )
    return Authority(private_key=key, certificate=cert)


def issue_station_certificate(
    authority: Authority, station_name: str, *, valid_days: int = 825
) -> Identity:
    """A new P-256 signing identity for ``station_name``, issued by ``authority``.

    The certificate never outlives the authority's: its end date is capped at the CA's.
    """
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    now = _now()
    not_after = min(now + dt.timedelta(days=valid_days), authority.certificate.not_valid_after_utc)
    if not_after <= now:
        raise ValueError("the centre authority has expired; create a new one first")
    key = ec.generate_private_key(_CURVE)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(station_name, authority.organisation))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_EKU]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.private_key.public_key()),
            critical=False,
        )
        .sign(authority.private_key, _HASH)
    )
    return Identity(private_key=key, certificate=cert, chain=(authority.certificate,))


def check_signing_certificate(cert: x509.Certificate, *, at: dt.datetime | None = None) -> None:
    """Raise ``ValueError`` saying why ``cert`` may not sign kiosk reports, if it may not."""
    moment = at or _now()
    subject = cert.subject.rfc4514_string()
    if cert.not_valid_after_utc < moment:
        raise ValueError(
            f"the certificate for {subject} expired on {cert.not_valid_after_utc:%Y-%m-%d}"
        )
    if cert.not_valid_before_utc > moment:
        raise ValueError(
            f"the certificate for {subject} is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.ca:
        raise ValueError(f"{subject} is a CA certificate; a signing certificate is needed")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise ValueError(
            f"the certificate for {subject} has no key usage; it must allow "
            "digitalSignature and nonRepudiation"
        ) from exc
    missing = [
        label
        for label, present in (
            ("digitalSignature", usage.digital_signature),
            ("nonRepudiation", usage.content_commitment),
        )
        if not present
    ]
    if missing:
        raise ValueError(
            f"the certificate for {subject} does not allow {' and '.join(missing)}; "
            "ask the issuer for a document-signing certificate"
        )
    try:
        purposes = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        purposes = None
    if purposes is not None and not purposes & _DOCUMENT_SIGNING_PURPOSES:
        raise ValueError(
            f"the certificate for {subject} is not meant for signing documents (its extended "
            "key usage lacks documentSigning, emailProtection and anyExtendedKeyUsage)"
        )
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise ValueError(f"the RSA key of {subject} is too short ({key.key_size} bits)")
    elif not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError(f"the key type of {subject} is not supported (use RSA or ECDSA)")


def import_pkcs12(data: bytes, passphrase: bytes | None) -> Identity:
    """Load an organisation's PKCS#12 (``.p12``/``.pfx``) as a signing identity.

    Raises ``ValueError`` with a message fit for an admin when the file cannot be opened,
    holds no key or certificate, the key does not match, or the certificate may not sign
    documents (see :func:`check_signing_certificate`).
    """
    try:
        loaded = pkcs12.load_pkcs12(data, passphrase)
    except (ValueError, TypeError) as exc:
        raise ValueError("cannot open the PKCS#12 file: wrong passphrase or not PKCS#12") from exc
    key = loaded.key
    if loaded.cert is None or key is None:
        raise ValueError("the PKCS#12 file must hold both a private key and its certificate")
    cert = loaded.cert.certificate
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"unsupported private key type {type(key).__name__} (use RSA or ECDSA)")
    if not _same_public_key(key, cert):
        raise ValueError("the private key in the PKCS#12 file does not match its certificate")
    check_signing_certificate(cert)
    others = [c.certificate for c in loaded.additional_certs]
    return Identity(private_key=key, certificate=cert, chain=_ordered_chain(cert, others))
