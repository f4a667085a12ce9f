"""AML checks: one screening of a customer, its hits and the review of people."""
