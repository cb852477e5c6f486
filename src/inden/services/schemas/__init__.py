"""The data services take and give, one module per area: validated requests and plain views.

The HTTP API (`inden.api`), the web pages and the CLI use these same models, so a rule about valid input lives
in one place. Import from the area's module (`inden.services.schemas.orders`, …).
"""
