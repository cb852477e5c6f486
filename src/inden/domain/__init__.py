"""Pure rules of inden: no I/O, no clock, no database. Plain data in, decisions out."""
