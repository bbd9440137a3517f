"""petitions: reads, registers, classifies and routes citizens' petition letters."""

__version__ = "0.1.0"
