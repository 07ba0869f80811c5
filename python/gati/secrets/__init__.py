"""Secrets: values that never show themselves (``Secret``), where they come from (providers)
and the cache in front of them (``SecretsManager``, ``gctx.secrets``)."""

from gati.errors import SecretNotFound
from gati.secrets.manager import SecretsManager
from gati.secrets.providers import DirectoryProvider, EnvProvider, MappingProvider, Provider
from gati.secrets.value import REDACTED, Secret

__all__ = [
    "REDACTED",
    "DirectoryProvider",
    "EnvProvider",
    "MappingProvider",
    "Provider",
    "Secret",
    "SecretNotFound",
    "SecretsManager",
]
