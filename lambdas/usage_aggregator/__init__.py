"""Counts usage events per product and event type, in real time, from the Kinesis stream."""
