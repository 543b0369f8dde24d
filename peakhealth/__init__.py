"""PeakHealth routine engine: versioned training plans served over HTTP."""

__version__ = "0.1.0"
