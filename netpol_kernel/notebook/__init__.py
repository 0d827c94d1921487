"""Layer 6, the notebook: probes, matrices and pictures, widgets, the %kubectl magic, chapters, exercises.

May import every layer below; IPython, ipywidgets and matplotlib load on first use.
"""
