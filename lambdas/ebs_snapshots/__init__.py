"""Nightly EBS backups: snapshot volumes tagged for backup, prune expired snapshots."""
