"""govsim: an agent-based model of fine-grained (individualised) versus type-based governance."""

__version__ = "0.1.0"
