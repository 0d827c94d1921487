"""Layer 4, the embedded cluster: API objects, controllers, DNS, the pod network, images and the programs in them.

Implements :class:`netpol_kernel.backends.base.Backend`; imports ``backends.base``, ``policy``, ``api``, ``errors``.
"""
