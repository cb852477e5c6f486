"""The HTTP API v1 (../shared/API.md): FastAPI routers over the services."""
