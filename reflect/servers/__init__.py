"""Servers the kit starts on this machine: app mode, the form served by Voila (:mod:`.app`), and
JupyterLab with the kit's notebooks (:mod:`.lab`).
"""
