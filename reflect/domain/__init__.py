"""What the kit measures, validated: the dimensions (:mod:`.dimensions`), months and periods
(:mod:`.months`), one check-in (:mod:`.checkin`), names and terminal text (:mod:`.text`), rituals
(:mod:`.rituals`) and the check-in CSV format (:mod:`.csvio`). Nothing here touches a store.
"""
