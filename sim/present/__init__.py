"""Showing results: reports, figures, the browser view and their labels in two languages.

Everything here reads saved results or a live model; nothing computes a result a run's
files depend on.
"""
