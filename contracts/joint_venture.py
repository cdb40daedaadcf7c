"""Joint venture: SPEC section 5.2, the pooled-fund rules with the entity as host.

Owners fund the entity by contribution; both variance shares are ownership
shares; a surplus is retained (carried forward) unless the agreement says
``return``; a deficit the owners' caps leave is the entity's unfunded
deficit; each owner's share of the retained reserves is reported.
"""

from contracts.pooled_fund import settle

__all__ = ["settle"]
