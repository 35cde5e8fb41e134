"""The functional core: pure models and computations, no I/O."""
