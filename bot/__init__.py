"""winterbot: the rules and use cases, platform-neutral, in packages by what they hold (README, "The code")."""
