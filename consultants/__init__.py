"""Consultants: who they are, how they sign in, and what routing needs to know of them."""
