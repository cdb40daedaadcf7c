"""Lead-body pooled fund (Section 75 pool hosted by one partner): SPEC section 5.1.

The rules are those of every pooled fund (``contracts.pooled_fund``): the host
bears whatever overspend the other partners' caps leave.
"""

from contracts.pooled_fund import VarianceSplit, instalments, settle, split_variance

__all__ = ["VarianceSplit", "instalments", "settle", "split_variance"]
