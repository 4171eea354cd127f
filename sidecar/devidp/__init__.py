"""A development identity provider that speaks the parts of Auth0 we use (development only).

It has its own RSA keys and JWKS and issues Auth0-shaped tokens, so the whole sign-in flow works on a
machine with no Auth0 tenant. The tests' fake Auth0 is built on the same code. Production refuses it.
"""

# Where the sidecar serves it (Auth0's paths below this prefix), e.g. /dev-idp/oauth/token.
DEV_IDP_PATH = "/dev-idp"
