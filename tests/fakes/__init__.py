"""Local servers speaking outside services' real protocols, for end-to-end fault tests of the runner's
provider clients (tests/fakes/openai_chat.py: OpenAI chat completions)."""
