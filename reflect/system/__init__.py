"""Where the kit's files live and how private files are written (:mod:`.paths`), child processes
that end with the kit (:mod:`.children`), the imports the kit skips (:mod:`.speedups`), and this
computer's address on the home network (:mod:`.network`).
"""
