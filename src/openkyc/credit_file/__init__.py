"""Credit-file proof: a credit bureau confirms name, birth date and address at once."""
