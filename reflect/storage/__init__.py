"""The SQLite store (:mod:`.store`, :mod:`.storefile`, :mod:`.migrations`), people's passphrases,
keys and sealed notes (:mod:`.keys`), imports (:mod:`.importing`) and the demo couple
(:mod:`.demo`).
"""
