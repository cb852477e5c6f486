"""The data services take and give, one module per area: validated requests and plain views.

The HTTP API (`inden.api`), the web pages and the CLI use these same models, so a rule about valid input lives
in one place. Import from the area's module (`inden.services.schemas.orders`, …).
"""

# For the CLI modules until they import from the areas (they are being split into a package meanwhile).
from inden.services.schemas.common import MAX_UNITS, Locale  # noqa: F401
from inden.services.schemas.orders import LineSelection, OrderCreate  # noqa: F401
from inden.services.schemas.planning import ApproveSuggestion, EventCreate  # noqa: F401
from inden.services.schemas.products import ProductCreate, ProductPatch, StockAdjustment  # noqa: F401
from inden.services.schemas.storefront import SubscriptionCreate  # noqa: F401
from inden.services.schemas.supply import (  # noqa: F401
    OfferIn,
    PurchaseOrderCreate,
    PurchaseOrderPatch,
    ReceiptCreate,
    SupplierCreate,
)
from inden.services.schemas.webhooks import WebhookCreate  # noqa: F401
