"""Auth0 access-token verification: our compact-JWS verifier against PyJWT, same tokens, same run."""
