"""KYC documents: what a customer provided, its analysis, and its review."""
