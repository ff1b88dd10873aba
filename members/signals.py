"""Signals members' services send, so that higher layers can react to a member's decisions
without members importing them (the layers only import downwards)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after consent decisions that take effect are appended to the ledger by members' own
# channels: the sign-up form of a member 14 or older, and a legal representative's first
# confirmation of a child's choices by the emailed link (a child's own sign-up choices take
# effect only then). Arguments: ``member`` (whose consents) and ``records`` (the new ledger
# entries, one per consent asked). The receivers run inside the service's transaction.
consent_decisions_recorded = Signal()
