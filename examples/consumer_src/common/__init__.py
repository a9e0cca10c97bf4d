"""Code the consumer's functions share, shipped once as a layer (``SharedCodeLayer``)."""


def greeting(name: str) -> str:
    return f"hello, {name}"
