"""Deletes expired idempotency records where DynamoDB's TTL cannot (strongly consistent tables)."""
