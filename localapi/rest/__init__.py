"""The Data API (`/rest/v1/`): PostgREST's behaviour for the exposed schema `api`."""
