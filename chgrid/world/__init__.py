"""Pure world rules: movement budget, nickname checks, chat command parsing."""
