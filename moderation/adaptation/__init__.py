"""A site's own model, learnt from its moderators behind gates.

labels.py (the moderators' final decisions as labelled examples), guard_sets.py (the fixed checks
no version may regress), services.py (fit a candidate, gate it, activate or roll back),
selectors.py (versions and their reports), serving.py (what the worker scores with), tasks.py
(the periodic fit, off by default), api.py and views.py. The fitting itself is ml/adaptation.py.
"""
