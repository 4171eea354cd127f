"""Identity: verifying Auth0 tokens, minting Supabase JWTs, checking our own tokens on requests."""
