"""Getting news to customers: the outbox (written in the change's own transaction), later email and webhooks."""
