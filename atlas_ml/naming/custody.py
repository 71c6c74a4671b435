"""qualifiedName of a signed attestation: its payload's sha256, which the next attestation of
the chain names as its previous, so a link is followed with one lookup by unique attribute."""

from __future__ import annotations


def attestation_name(payload_sha256: str, namespace: str) -> str:
    return f"attestation#{payload_sha256}@{namespace}"
