"""The product catalogue API: list, read and (admins) create products."""
