"""Layer 2, the policy model: typed objects, the NetworkPolicy engine, connectivity, lint, offline worlds.

Pure: no I/O, no IPython, no matplotlib. Imports :mod:`netpol_kernel.api` and :mod:`netpol_kernel.errors`.
"""
