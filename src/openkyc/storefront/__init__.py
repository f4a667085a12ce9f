"""The customer side of the KYC API (Rebilly storefront) and customer tokens."""
