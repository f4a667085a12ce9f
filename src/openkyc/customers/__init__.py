"""Customers: the people a merchant asks for KYC documents."""
