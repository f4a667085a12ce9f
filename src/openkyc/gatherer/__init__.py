"""The hosted document gatherer: the pages a customer opens from a KYC request link."""
