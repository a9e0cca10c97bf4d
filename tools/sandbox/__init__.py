"""The local sandbox: the Dev stage deployed with the real CDK CLI to moto, then smoke-tested.

``make sandbox`` runs :mod:`tools.sandbox.__main__`.
"""
