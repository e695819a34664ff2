"""Signals of the clients app, for the apps built on it (visit plans) to keep in step."""

from django.dispatch import Signal

# Sent when a saved client has another account manager than the one it was read with, whatever
# saved it (the card, the admin, an import), with ``client`` and ``previous_owner_id``: the
# visits still to do go with it (visit plans).
client_reassigned = Signal()
