"""AML screening: watchlists loaded by the operator, customers screened against them, and the
checks people review."""
