"""The catalog's search API: datasets by tag, a dataset's objects by date, paginated."""
