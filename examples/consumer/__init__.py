"""The consumer app's building blocks: one module per area, each with both ways of use.

Every module has ``with_defaults`` (the patterns create what they need) and
``with_existing`` (the patterns are handed resources that already exist).
"""
