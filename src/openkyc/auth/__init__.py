"""Who is calling: API keys and JWTs resolved to a principal of one organization."""
