"""KYC requests: what a merchant asks a customer to prove, and by when."""
