"""Servers the kit starts on this machine: app mode, the form served by Voila (:mod:`.app`), with
the kernels it keeps ready, frees and culls (:mod:`.kernels`), what a ready kernel does until its
page is opened (:mod:`.warm`) and the sign-in that lets a closed page free its kernel
(:mod:`.identity`); the same form to the home network over HTTPS (:mod:`.voila_https`, with the
kit's own :mod:`.certificate`); and JupyterLab with the kit's notebooks (:mod:`.lab`).
"""
