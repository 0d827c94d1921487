"""Layer 1, the API: reading manifests and the API server's rules (validation, defaults, resource names).

Imports only :mod:`netpol_kernel.errors`.
"""
