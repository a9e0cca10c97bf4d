"""The order API: place orders idempotently and read them back."""
