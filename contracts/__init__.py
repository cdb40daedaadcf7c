"""The agreement rules: one module per arrangement, pure functions over typed terms.

Each module's ``settle(inputs) -> Statement`` applies SPEC section 5 for its
arrangement, step by step, and explains every figure it produces.
"""
