"""Sample pools drawn from the seed reports; ``python -m sample_pools.build`` writes their workbooks."""
