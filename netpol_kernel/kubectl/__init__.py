"""Layer 5, the kubectl subset: a command line in, what kubectl prints out, on any backend.

>>> from netpol_kernel.kubectl import kubectl
>>> from netpol_kernel.sim.cluster import EmbeddedCluster
>>> print(kubectl("get ns default", backend=EmbeddedCluster()).text.split()[:3])
['NAME', 'STATUS', 'AGE']
"""
from .command import KubectlResult, kubectl

__all__ = ["kubectl", "KubectlResult"]
