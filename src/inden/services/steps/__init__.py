"""Steps that run inside a use case's transaction and are shared by several services.

Services import these; these import only `db`, `domain`, `planning` and the schemas, never another service,
so the services never import each other in a circle. Each step expects its products locked by the caller.
"""
