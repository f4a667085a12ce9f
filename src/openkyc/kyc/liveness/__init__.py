"""Face liveness sessions of KYC requests."""
