"""Getting news to people: an outbox event rendered as an email in the reader's language (`render`) and sent
(`smtp`). The rows themselves are written by `inden.db.outbox`, in the transaction of the change."""
