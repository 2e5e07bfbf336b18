"""The kata harness: pytest plugin, shared checks, budgets, curriculum manifest, self-test."""
