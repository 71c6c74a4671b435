"""atlas-ml's version: the one source, read by setup.cfg, the package, the HTTP client's
User-Agent and the Spark listener jar (stamped at build)."""

__version__ = "0.1.0"
