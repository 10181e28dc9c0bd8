"""Servers the kit starts on this machine: app mode, the form served by Voila (:mod:`.app`), also
to the home network over HTTPS (:mod:`.voila_https`, with the kit's own :mod:`.certificate`), and
JupyterLab with the kit's notebooks (:mod:`.lab`).
"""
