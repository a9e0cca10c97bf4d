"""Validates and normalises usage events on their way to the archive (Firehose transformation)."""
