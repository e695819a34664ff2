from clients.models.activity import DemandRecord, Interaction, ProductFeedback
from clients.models.clients import Client, Contact, KeyAccountProfile
from clients.models.complaints import Complaint, ComplaintEvent
from clients.models.promotions import Promotion, PromotionNotice

__all__ = [
    "Client",
    "Complaint",
    "ComplaintEvent",
    "Contact",
    "DemandRecord",
    "Interaction",
    "KeyAccountProfile",
    "ProductFeedback",
    "Promotion",
    "PromotionNotice",
]
