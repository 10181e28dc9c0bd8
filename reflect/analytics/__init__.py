"""What the ratings say: the figures, each defined once (:mod:`.analysis`), the rhythm of rituals
(:mod:`.rhythm`), findings in words (:mod:`.insights`, :mod:`.phrases`) and the form's glance at
the month (:mod:`.glance`).
"""
