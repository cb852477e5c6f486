"""Use cases. Each public function opens exactly one transaction (`Database.transaction`)."""
