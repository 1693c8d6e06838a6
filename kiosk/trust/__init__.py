"""Trust: the station key, the key folder that unlocks it, and what the station vouches for.

:mod:`kiosk.trust.vault` is the key folder outside the data folder;
:mod:`kiosk.trust.keys` unlocks the station key, signs the audit log with it and says
which keys and authorities to trust; :mod:`kiosk.trust.checking` builds the
:class:`~kiosk.store.check.Trust` that ``kiosk store check`` and report signing use.
"""
