"""The monthly report: the notebook's view model (:mod:`.report`, :mod:`.params`,
:mod:`.handover`), the ``reflect`` papermill engine (:mod:`.engine`, :mod:`.execute`), the page and
its charts (:mod:`.pages`, :mod:`.rendering`, :mod:`.workers`), and making reports for stores and
months (:mod:`.publish`).
"""
