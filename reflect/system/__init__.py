"""Where the kit's files live and how private files are written (:mod:`.paths`), child processes
that end with the kit (:mod:`.children`), and the imports the kit skips (:mod:`.speedups`).
"""
