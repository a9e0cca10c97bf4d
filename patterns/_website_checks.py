"""Argument checks of ``StaticWebsite``: domain and certificate, SPA fallback, content."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from aws_cdk import aws_certificatemanager as acm

from patterns._aws_limits import check_hostname, check_length, check_web_acl_arn
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
        check_hostname("domain_names", name)
    return names


#: Error codes CloudFront can answer with a custom error response.
CLOUDFRONT_ERROR_CODES = (400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504)
#: CloudFront's limit on the Content-Security-Policy value of a response headers policy.
MAX_CONTENT_SECURITY_POLICY = 1783


def check_headers_and_acl(content_security_policy: str, web_acl_arn: str | None) -> None:
    """The CSP fits CloudFront's limit; a given web ACL is a CloudFront (global) one."""
    check_length("content_security_policy", content_security_policy, MAX_CONTENT_SECURITY_POLICY, 1)
    check_web_acl_arn("web_acl_arn", web_acl_arn, scope="CLOUDFRONT", region=CERTIFICATE_REGION)


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
        if code not in CLOUDFRONT_ERROR_CODES:
            raise ValueError(
                "spa_fallback_status_codes must be error codes CloudFront can serve a page for "
                f"({', '.join(map(str, CLOUDFRONT_ERROR_CODES))}), got {code!r}"
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
