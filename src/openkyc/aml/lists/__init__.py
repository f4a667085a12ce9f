"""Watchlists: loaded by the operator from FollowTheMoney files, shared by every organization."""
