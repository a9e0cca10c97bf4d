"""Security-policy remediation: close world-open ingress, re-block public buckets."""
