import os
import sys

# so tests can import reference.py, fakes.py, kube_fakes.py, labfiles.py (a conftest is
# never imported by name: each folder may have its own)
sys.path.insert(0, os.path.dirname(__file__))
