"""vanthu — an electronic office under Vietnamese clerical rules."""

__version__ = "0.1.0"
