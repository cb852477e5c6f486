"""The data services take and give, one module per area: validated requests and plain views.

The HTTP API (`inden.api`), the web pages and the CLI use these same models, so a rule about valid input lives
in one place. Import from the area's module (`inden.services.schemas.orders`, …).
"""

# For the CLI modules until they import from the areas (they are being split into a package meanwhile).
from inden.services.schemas.common import MAX_UNITS as MAX_UNITS
from inden.services.schemas.common import Locale as Locale
from inden.services.schemas.orders import LineSelection as LineSelection
from inden.services.schemas.orders import OrderCreate as OrderCreate
from inden.services.schemas.planning import ApproveSuggestion as ApproveSuggestion
from inden.services.schemas.planning import EventCreate as EventCreate
from inden.services.schemas.products import ProductCreate as ProductCreate
from inden.services.schemas.products import ProductPatch as ProductPatch
from inden.services.schemas.products import StockAdjustment as StockAdjustment
from inden.services.schemas.storefront import SubscriptionCreate as SubscriptionCreate
from inden.services.schemas.supply import OfferIn as OfferIn
from inden.services.schemas.supply import PurchaseOrderCreate as PurchaseOrderCreate
from inden.services.schemas.supply import PurchaseOrderPatch as PurchaseOrderPatch
from inden.services.schemas.supply import ReceiptCreate as ReceiptCreate
from inden.services.schemas.supply import SupplierCreate as SupplierCreate
from inden.services.schemas.webhooks import WebhookCreate as WebhookCreate
