"""Keeps the data catalog in step with the lake: S3 object events -> catalog items."""
