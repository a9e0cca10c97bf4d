"""Argument checks of ``StaticWebsite``: domain and certificate, SPA fallback, content."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from aws_cdk import aws_certificatemanager as acm

from patterns._validation import is_token

#: The status codes the SPA fallback rewrites by default (S3 answers 403 for a missing key
#: when the reader may not list the bucket).
DEFAULT_SPA_STATUS_CODES = (403, 404)
#: CloudFront accepts ACM certificates and web ACLs only from this region.
CERTIFICATE_REGION = "us-east-1"


def check_domain(
    domain_names: Sequence[str] | None, certificate: acm.ICertificate | None
) -> tuple[str, ...]:
    if isinstance(domain_names, str):
        raise TypeError("domain_names must be a sequence of names, not a single string")
    names = tuple(domain_names or ())
    if certificate is not None and not hasattr(certificate, "certificate_arn"):
        raise TypeError(
            f"certificate must be an acm.ICertificate, got {type(certificate).__name__}"
        )
    if names and certificate is None:
        raise ValueError(f"domain_names {list(names)} need a certificate (acm.ICertificate)")
    if certificate is not None and not names:
        raise ValueError("certificate is given but domain_names is empty; give the names it covers")
    if certificate is not None:
        arn = certificate.certificate_arn
        region = arn.split(":")[3] if not is_token(arn) and arn.count(":") >= 5 else None
        if region is not None and region != CERTIFICATE_REGION:
            raise ValueError(
                f"certificate must be in {CERTIFICATE_REGION} for CloudFront, got one in {region}"
            )
    for name in names:
        if not is_token(name) and ("." not in name or "/" in name or " " in name):
            raise ValueError(f"domain_names contains {name!r}, which is not a domain name")
    return names


def check_fallback(
    index_document: str, path: str | None, codes: Sequence[int] | None
) -> tuple[int, ...]:
    if not index_document or index_document.startswith("/"):
        raise ValueError(
            f"index_document must be an object key without a leading '/', got {index_document!r}"
        )
    if path is None:
        if codes:
            raise ValueError("spa_fallback_status_codes need a spa_fallback_path")
        return ()
    if not path.startswith("/"):
        raise ValueError(f"spa_fallback_path must start with '/', got {path!r}")
    result = tuple(DEFAULT_SPA_STATUS_CODES if codes is None else codes)
    for code in result:
        if isinstance(code, bool) or not isinstance(code, int) or not 400 <= code <= 599:
            raise ValueError(
                f"spa_fallback_status_codes must be HTTP error codes 400..599, got {code!r}"
            )
    if len(set(result)) != len(result):
        raise ValueError(f"spa_fallback_status_codes has duplicates: {list(result)}")
    return result


def check_content(content_path: str | os.PathLike[str] | None) -> Path | None:
    if content_path is None:
        return None
    folder = Path(content_path)
    if not folder.is_dir():
        raise ValueError(f"content_path must be an existing folder, got {str(folder)!r}")
    return folder
