"""``kiosk verify FILE.pdf [--trust CA.pem]``: check a signed report, offline.

Contract: :func:`verify_command` prints a one-line verdict first, then indented lines:
what the report is about (from its signed evidence), problems, the trust anchor and
details. It returns the exit code

- 0 ``VALID``: unchanged since signing, the signature covers the whole file, the
  signer's certificate leads to the trust anchor, and nothing in the signed evidence
  contradicts the file or the store (below);
- 1 ``INVALID``: a signed PDF (or the damaged remains of one, e.g. a file cut short)
  that fails any of those; also when no trust anchor is available, since then nobody
  vouches for the signer;
- 1 ``NOT AN ASSESSMENT``: a valid demo report (its evidence says ``demo``): the
  signature holds, but the candidate was simulated;
- 2 ``NOT SIGNED`` or unusable input: not a PDF, a PDF without a signature, a file that
  cannot be read, or a trust file that holds no certificate. The message says what the
  file is and what to do.

Trust anchor: the ``--trust`` file (PEM or DER; several PEM certificates allowed) if
given, else ``store_trust_pem`` (the caller passes the store's centre authority
certificate, or ``None``). This module does not open the store: the CLI does that.
Verdict lines go to stdout; errors about unreadable input go to stderr.

Tying a report to its session: the signed evidence (``Verdict.evidence``, see
:mod:`reports.verify`) names the candidate pseudonym, session, station and event-chain
head; they are printed under the headline. Reports are written as
``report_<pseudonym>...pdf``: a file whose name does not contain the evidence's
pseudonym (case-sensitive) was renamed, which is a problem ("this file was renamed: it
is the report of candidate P, session S") and makes the verdict INVALID, so that a
report cannot pass for another candidate's. ``check_evidence``, when given, is called
with the evidence dict (the kiosk compares it with its store); every string it returns
is a problem, and an exception it raises is one too. A report without evidence (made
before evidence existed) cannot be tied to a session: that is said, and
``check_evidence`` is not called. Evidence is only read from a signature that holds.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reports.verify import NotSignedPdf, Verdict, verify_pdf

__all__ = [
    "EXIT_INVALID",
    "EXIT_NOT_AN_ASSESSMENT",
    "EXIT_NOT_SIGNED",
    "EXIT_VALID",
    "EvidenceCheck",
    "verify_command",
]

EXIT_VALID, EXIT_INVALID, EXIT_NOT_SIGNED = 0, 1, 2
EXIT_NOT_AN_ASSESSMENT = EXIT_INVALID
"""A valid demo report is not an assessment: it exits like an invalid one."""

EvidenceCheck = Callable[[Mapping[str, Any]], list[str]]
"""Compares a report's signed evidence with something else (the store); returns problems."""

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


def _headline(name: str, verdict: Verdict, evidence_problems: list[str]) -> str:
    holds = f"signed by {_signer_phrase(verdict)}, covers the whole file, trusted"
    if verdict.valid and not evidence_problems:
        if verdict.evidence is not None and verdict.evidence["demo"]:
            return (
                f"NOT AN ASSESSMENT: {name} is a demo report of a simulated candidate; "
                f"its signature holds ({holds})"
            )
        return f"VALID: {name} {holds}"
    if verdict.signer is None and verdict.signature_count == 0:
        return f"INVALID: {name}: {verdict.problems[0] if verdict.problems else 'damaged'}"
    if verdict.valid:
        return f"INVALID: {name} (signed by {_signer_phrase(verdict)}): {evidence_problems[0]}"
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


def _about(evidence: Mapping[str, Any]) -> list[str]:
    lines = [
        f"report of candidate {evidence['candidate_pseudonym']}, session "
        f"{evidence['session_id']}, station {evidence['station_name']}",
        f"event chain head: entry {evidence['chain_head_seq']}, {evidence['chain_head_hash']}",
        f"audit checkpoint: entry {evidence['checkpoint_seq']}, {evidence['checkpoint_hash']}",
    ]
    if evidence["demo"]:
        lines.append("DEMO: a simulated candidate, not an assessment")
    return lines


def _evidence_problems(
    name: str, evidence: Mapping[str, Any], check_evidence: EvidenceCheck | None
) -> list[str]:
    problems = []
    pseudonym = str(evidence["candidate_pseudonym"])
    if pseudonym not in name:
        problems.append(
            f"this file was renamed: it is the report of candidate {pseudonym}, "
            f"session {evidence['session_id']}"
        )
    if check_evidence is not None:
        try:
            problems.extend(str(problem) for problem in check_evidence(dict(evidence)))
        except Exception as exc:  # a failed comparison must not pass for a clean one
            problems.append(f"the evidence could not be compared with the store: {exc}")
    return problems


def verify_command(
    path: Path,
    trust: Path | None,
    store_trust_pem: bytes | None,
    check_evidence: EvidenceCheck | None = None,
) -> int:
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

    evidence = verdict.evidence
    extra = [] if evidence is None else _evidence_problems(path.name, evidence, check_evidence)
    print(_headline(path.name, verdict, extra))
    if evidence is not None:
        for line in _about(evidence):
            print(f"  {line}")
    elif verdict.intact:
        print("  this report carries no evidence (an older report): it cannot be tied to a session")
    for problem in [*verdict.problems, *extra]:
        print(f"  problem: {problem}")
    print(f"  {anchor}")
    for detail in verdict.details:
        print(f"  {detail}")
    demo = evidence is not None and bool(evidence["demo"])
    if verdict.valid and not extra:
        return EXIT_NOT_AN_ASSESSMENT if demo else EXIT_VALID
    return EXIT_INVALID
