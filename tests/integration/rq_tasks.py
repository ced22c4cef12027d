"""Job functions for the RQ tests: a worker imports them by module path."""


def add(a, b):
    return a + b


def fail():
    raise ValueError("this job fails")
