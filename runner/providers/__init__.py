"""Clients of outside services the runner calls: embeddings (runner.providers.embeddings)."""
