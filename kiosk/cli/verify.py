"""``kiosk verify FILE.pdf [--trust CA.pem]``: check a signed report, offline.

Contract: :func:`verify_command` prints a one-line verdict first, then indented detail
lines, and returns the exit code

- 0 ``VALID``: unchanged since signing, the signature covers the whole file, and the
  signer's certificate leads to the trust anchor;
- 1 ``INVALID``: a signed PDF (or the damaged remains of one) that fails any of those;
  also when no trust anchor is available, since then nobody vouches for the signer;
- 2 ``NOT SIGNED`` or unusable input: not a PDF, a PDF without a signature, a file that
  cannot be read, or a trust file that holds no certificate. The message says what the
  file is and what to do.

Trust anchor: the ``--trust`` file (PEM or DER; several PEM certificates allowed) if
given, else ``store_trust_pem`` (the caller passes the store's centre authority
certificate, or ``None``). This module does not open the store: the CLI does that.
Verdict lines go to stdout; errors about unreadable input go to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reports.verify import NotSignedPdf, Verdict, verify_pdf

__all__ = ["EXIT_INVALID", "EXIT_NOT_SIGNED", "EXIT_VALID", "verify_command"]

EXIT_VALID, EXIT_INVALID, EXIT_NOT_SIGNED = 0, 1, 2

_WHAT_TO_DO = {
    "empty": "copy the report again from where it was stored or sent.",
    "not_pdf": "kiosk verify checks signed PDF reports; give it the report's .pdf file.",
    "unsigned_pdf": (
        "this copy carries no signature (it may have been printed to PDF or re-saved by a "
        "viewer); ask the centre for the signed original."
    ),
}


def _signer_phrase(verdict: Verdict) -> str:
    if verdict.signer is None:
        return "an unreadable signer"
    organisation = f" ({verdict.organisation})" if verdict.organisation else ""
    return f'"{verdict.signer}"{organisation}'


def _headline(name: str, verdict: Verdict) -> str:
    if verdict.valid:
        return f"VALID: {name} signed by {_signer_phrase(verdict)}, covers the whole file, trusted"
    failures = []
    if not verdict.intact:
        failures.append("changed or damaged since signing")
    if not verdict.covers_whole_file:
        failures.append("the signature does not cover the whole file")
    if not verdict.trusted and verdict.intact:  # a damaged file is the headline by itself
        failures.append("signer not trusted")
    if not failures:
        failures.append(verdict.problems[0] if verdict.problems else "not valid")
    return f"INVALID: {name} (signed by {_signer_phrase(verdict)}): {'; '.join(failures)}"


def verify_command(path: Path, trust: Path | None, store_trust_pem: bytes | None) -> int:
    """Verify the report at ``path``; print the verdict; return 0, 1 or 2 (see module doc)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"kiosk: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_NOT_SIGNED

    if trust is not None:
        try:
            roots = [trust.read_bytes()]
        except OSError as exc:
            print(
                f"kiosk: cannot read the trust file {trust}: {exc.strerror or exc}", file=sys.stderr
            )
            return EXIT_NOT_SIGNED
        anchor = f"trust anchor: {trust}"
    elif store_trust_pem is not None:
        roots = [store_trust_pem]
        anchor = "trust anchor: the store's centre authority"
    else:
        roots = []
        anchor = "trust anchor: none (pass --trust CA.pem, or use a store with a centre authority)"

    try:
        verdict = verify_pdf(data, roots)
    except NotSignedPdf as exc:
        print(f"NOT SIGNED: {path.name} is {exc}")
        print(f"  {_WHAT_TO_DO[exc.kind]}")
        return EXIT_NOT_SIGNED
    except ValueError as exc:
        source = trust if trust is not None else "the store's centre authority"
        print(f"kiosk: the trust anchor ({source}) is not a certificate: {exc}", file=sys.stderr)
        return EXIT_NOT_SIGNED

    print(_headline(path.name, verdict))
    for problem in verdict.problems:
        print(f"  problem: {problem}")
    print(f"  {anchor}")
    for detail in verdict.details:
        print(f"  {detail}")
    return EXIT_VALID if verdict.valid else EXIT_INVALID
