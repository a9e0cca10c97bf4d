"""Records CloudWatch alarm state changes, delivered through SNS, as incident items."""
