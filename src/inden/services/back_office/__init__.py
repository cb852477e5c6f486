"""What the seller's back office reads and does: one module per page area (today, catalogue, orders,
purchasing, plan, imports, downloads). Read models are frozen dataclasses built from a few set-based queries;
actions go through the same services as the API and the CLI."""
