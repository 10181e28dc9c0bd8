"""What a person sees in a notebook: the altair charts (:mod:`.charts`), the trends explorer
(:mod:`.trends`, :mod:`.explorer`), the check-in form (:mod:`.widgets`) and the quick log of
rituals (:mod:`.quicklog`).
"""
