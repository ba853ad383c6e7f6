"""What the HTTP shells (``api`` and ``web``) share: request dependencies, error responses and the
configuration bodies both accept. Neither shell imports the other; both import this."""
