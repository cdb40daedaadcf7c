"""Excel in and out: reading agreement and return workbooks, writing templates."""
