"""KYC: requests, documents, settings, and the rules that tie them together."""
