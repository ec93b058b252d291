"""Options as they may be shown: secrets replaced by ***."""

SECRET_OPTIONS = frozenset({"password", "ssl_client_key", "cdc_agent_token"})


def redacted_options(options: dict) -> dict:
    return {key: ("***" if key.lower() in SECRET_OPTIONS else value) for key, value in options.items()}
