"""The ``atlas-ml`` command line: a thin layer over the package's modules."""
