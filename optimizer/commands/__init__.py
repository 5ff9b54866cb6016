"""What the commands of `plan` do beyond parsing their options (optimizer.cli holds the click commands)."""
